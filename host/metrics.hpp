// recoupd: the Prometheus metrics (text exposition format 0.0.4). Counters and one latency
// histogram, all behind one mutex: a webhook touches them a few times, scrapes are rare.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace recoupd {

class metrics {
public:
    // `route` is the route's pattern ("webhook", "health", ...), never the raw path.
    void count_request(const std::string& route, int status, const std::string& connector);
    void count_action(const std::string& action);
    void count_verification_failure(const std::string& connector);
    void count_database_error();
    void observe_duration(double seconds);
    // The retry scheduler: tasks run by name and outcome, charges by processor and outcome.
    void count_task(const std::string& name, const std::string& outcome);
    void count_charge(const std::string& processor, const std::string& outcome);
    // A processor or platform answer that could not be used, by peer and kind (recoup::http_fault).
    void count_fault(const std::string& peer, const std::string& fault);
    // A task given up on because of such answers, by name and the business status it finished with.
    void count_abandoned(const std::string& name, const std::string& business_status);
    // A charge that succeeded after its claim was lost: someone else may have charged too.
    void count_possible_double_charge(const std::string& processor);
    // Outgoing merchant webhooks: each attempt by outcome (delivered, retry, failed), and the
    // endpoints disabled because they kept failing.
    void count_merchant_delivery(const std::string& outcome);
    void count_endpoint_disabled();

    // The whole exposition, every metric with its HELP and TYPE lines.
    std::string render() const;

    static constexpr std::array<double, 12> buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                    0.1,   0.25,   0.5,   1.0,  2.5,   10.0};

private:
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, int, std::string>, std::uint64_t> requests_;
    std::map<std::string, std::uint64_t> actions_;
    std::map<std::string, std::uint64_t> verification_failures_;
    std::uint64_t database_errors_ = 0;
    std::map<std::pair<std::string, std::string>, std::uint64_t> tasks_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> charges_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> faults_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> abandoned_;
    std::map<std::string, std::uint64_t> double_charges_;
    std::map<std::string, std::uint64_t> merchant_deliveries_;
    std::uint64_t endpoints_disabled_ = 0;
    std::array<std::uint64_t, buckets.size()> bucket_counts_{};
    std::uint64_t duration_count_ = 0;
    double duration_sum_ = 0;
};

} // namespace recoupd

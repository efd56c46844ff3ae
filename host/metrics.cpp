#include "metrics.hpp"

#include <charconv>
#include <sstream>

namespace recoupd {

namespace {

// Label values escape backslash, double quote and newline.
std::string label(std::string_view v)
{
    std::string out;
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

// Shortest round-trip form: 0.0025, not 0.0025000000000000001.
std::string number(double v)
{
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : std::string("0");
}

} // namespace

void metrics::count_request(const std::string& route, int status, const std::string& connector)
{
    std::lock_guard lock(mutex_);
    ++requests_[{route, status, connector}];
}

void metrics::count_action(const std::string& action)
{
    std::lock_guard lock(mutex_);
    ++actions_[action];
}

void metrics::count_verification_failure(const std::string& connector)
{
    std::lock_guard lock(mutex_);
    ++verification_failures_[connector];
}

void metrics::count_database_error()
{
    std::lock_guard lock(mutex_);
    ++database_errors_;
}

void metrics::observe_duration(double seconds)
{
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < buckets.size(); ++i)
        if (seconds <= buckets[i]) ++bucket_counts_[i];
    ++duration_count_;
    duration_sum_ += seconds;
}

void metrics::count_task(const std::string& name, const std::string& outcome)
{
    std::lock_guard lock(mutex_);
    ++tasks_[{name, outcome}];
}

void metrics::count_charge(const std::string& processor, const std::string& outcome)
{
    std::lock_guard lock(mutex_);
    ++charges_[{processor, outcome}];
}

void metrics::count_fault(const std::string& peer, const std::string& fault)
{
    std::lock_guard lock(mutex_);
    ++faults_[{peer, fault}];
}

void metrics::count_abandoned(const std::string& name, const std::string& business_status)
{
    std::lock_guard lock(mutex_);
    ++abandoned_[{name, business_status}];
}

void metrics::count_possible_double_charge(const std::string& processor)
{
    std::lock_guard lock(mutex_);
    ++double_charges_[processor];
}

void metrics::count_merchant_delivery(const std::string& outcome)
{
    std::lock_guard lock(mutex_);
    ++merchant_deliveries_[outcome];
}

void metrics::count_endpoint_disabled()
{
    std::lock_guard lock(mutex_);
    ++endpoints_disabled_;
}

std::string metrics::render() const
{
    std::lock_guard lock(mutex_);
    std::ostringstream out;
    out << "# HELP recoup_http_requests_total HTTP requests answered, by route, status and connector.\n"
           "# TYPE recoup_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
        const auto& [route, status, connector] = key;
        out << "recoup_http_requests_total{route=\"" << label(route) << "\",status=\"" << status
            << "\",connector=\"" << label(connector) << "\"} " << n << "\n";
    }
    out << "# HELP recoup_actions_total Recovery actions decided for webhooks.\n"
           "# TYPE recoup_actions_total counter\n";
    for (const auto& [action, n] : actions_)
        out << "recoup_actions_total{action=\"" << label(action) << "\"} " << n << "\n";
    out << "# HELP recoup_verification_failures_total Webhooks whose source verification failed.\n"
           "# TYPE recoup_verification_failures_total counter\n";
    for (const auto& [connector, n] : verification_failures_)
        out << "recoup_verification_failures_total{connector=\"" << label(connector) << "\"} " << n << "\n";
    out << "# HELP recoup_request_duration_seconds Time to answer a webhook.\n"
           "# TYPE recoup_request_duration_seconds histogram\n";
    for (std::size_t i = 0; i < buckets.size(); ++i)
        out << "recoup_request_duration_seconds_bucket{le=\"" << number(buckets[i]) << "\"} "
            << bucket_counts_[i] << "\n";
    out << "recoup_request_duration_seconds_bucket{le=\"+Inf\"} " << duration_count_ << "\n"
        << "recoup_request_duration_seconds_sum " << number(duration_sum_) << "\n"
        << "recoup_request_duration_seconds_count " << duration_count_ << "\n";
    out << "# HELP recoup_database_errors_total Storage failures while answering requests.\n"
           "# TYPE recoup_database_errors_total counter\n"
        << "recoup_database_errors_total " << database_errors_ << "\n";
    const auto pairs = [&](const char* name, const char* help, const char* first, const char* second,
                           const std::map<std::pair<std::string, std::string>, std::uint64_t>& values) {
        out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
        for (const auto& [key, n] : values)
            out << name << "{" << first << "=\"" << label(key.first) << "\"," << second << "=\""
                << label(key.second) << "\"} " << n << "\n";
    };
    pairs("recoup_tasks_total", "Process-tracker tasks run by the scheduler, by name and outcome.", "name", "outcome",
          tasks_);
    pairs("recoup_charges_total", "Off-session charges through payment processors, by outcome.", "processor",
          "outcome", charges_);
    pairs("recoup_processor_faults_total", "Processor and platform answers the scheduler could not use, by kind.",
          "peer", "fault", faults_);
    pairs("recoup_tasks_abandoned_total", "Tasks finished because their peer kept failing, by business status.",
          "name", "business_status", abandoned_);
    out << "# HELP recoup_possible_double_charges_total Charges that succeeded after their claim was lost.\n"
           "# TYPE recoup_possible_double_charges_total counter\n";
    for (const auto& [processor, n] : double_charges_)
        out << "recoup_possible_double_charges_total{processor=\"" << label(processor) << "\"} " << n << "\n";
    out << "# HELP recoup_merchant_webhook_deliveries_total Outgoing merchant webhook attempts, by outcome "
           "(delivered, retry, failed).\n"
           "# TYPE recoup_merchant_webhook_deliveries_total counter\n";
    for (const auto& [outcome, n] : merchant_deliveries_)
        out << "recoup_merchant_webhook_deliveries_total{outcome=\"" << label(outcome) << "\"} " << n << "\n";
    out << "# HELP recoup_merchant_endpoints_disabled_total Merchant endpoints disabled because they kept failing.\n"
           "# TYPE recoup_merchant_endpoints_disabled_total counter\n"
        << "recoup_merchant_endpoints_disabled_total " << endpoints_disabled_ << "\n";
    return out.str();
}

} // namespace recoupd

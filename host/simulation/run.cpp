#include "simulation/run.hpp"

#include "outbound/client.hpp"
#include "scheduler/scheduler.hpp"
#include "simulation/issuer.hpp"
#include "store/soci_store.hpp"

#include <recoup/flow.hpp>
#include <recoup/network_rules.hpp>
#include <recoup/storable.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <random>
#include <stdexcept>
#include <unistd.h>

namespace recoupd::simulation {

namespace {

namespace json = boost::json;

constexpr std::int64_t day = 86400;
constexpr std::string_view profile_id = "pro_simulate";
constexpr std::string_view billing_mca_id = "mca_billing";
constexpr std::string_view processor_mca_id = "mca_simulator";
constexpr std::string_view gateway_account = "gw_simulate";
// Scheduler runs per invoice, at most, before the run is called stuck.
constexpr std::size_t iterations_per_invoice = 200;

// Where the throwaway database goes: memory-backed /dev/shm when there is one (the store syncs
// every commit, which on a disk costs more than the whole simulation), else the temp dir.
std::filesystem::path scratch_root()
{
    std::error_code ec;
    if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) return "/dev/shm";
    return std::filesystem::temp_directory_path();
}

// A temp dir of our own, removed when the run ends however it ends.
class temp_dir {
public:
    temp_dir()
    {
        std::random_device rd;
        path_ = scratch_root() / ("recoupd-simulate-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~temp_dir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// The bundled connector the billing MCA uses: chargebee when loaded, else the first there is.
std::string billing_connector(const plugins& plugins)
{
    const auto names = plugins.connector_names();
    if (names.empty()) throw std::runtime_error("no billing connector plugin is loaded");
    for (const auto& n : names)
        if (n == "chargebee") return n;
    return names.front();
}

recoup::normalized_webhook failure_webhook(const invoice& inv, std::size_t index)
{
    const auto currency = recoup::find_currency(inv.currency);
    auto reference = recoup::merchant_reference_id::make(inv.id);
    if (!currency || !reference) throw std::runtime_error("invoice \"" + inv.id + "\" cannot be a webhook");
    const auto& first = inv.methods.front();
    const auto& segment = first.at(inv.failed_at);

    recoup::normalized_webhook w;
    w.event_type = recoup::incoming_webhook_event::recovery_payment_failure;
    w.event_id = "ev_" + inv.id;
    w.event_at = inv.failed_at;
    w.object_reference_id = inv.id;
    recoup::recovery_invoice invoice;
    invoice.merchant_reference_id = *reference;
    invoice.amount = inv.amount;
    invoice.currency = *currency;
    w.invoice = invoice;
    recoup::recovery_attempt a;
    a.amount = inv.amount;
    a.currency = *currency;
    a.merchant_reference_id = *reference;
    a.connector_transaction_id = "txn_" + inv.id;
    a.error_code = segment.approve ? std::string("generic_decline") : segment.decline;
    a.error_message = "the platform's charge was declined";
    a.processor_payment_method_token = issuer::token_of(index, 0);
    a.connector_customer_id = "cus_" + inv.id;
    a.connector_account_reference_id = std::string(gateway_account);
    a.transaction_created_at = inv.failed_at;
    a.status = recoup::attempt_status::failure;
    a.payment_method_type = "card";
    a.card_network = first.network;
    for (std::size_t m = 1; m < inv.methods.size(); ++m)
        a.alternate_payment_methods.push_back({issuer::token_of(index, m), inv.methods[m].network, "card"});
    w.attempt = a;
    return w;
}

} // namespace

std::optional<double> median(std::vector<double> values)
{
    if (values.empty()) return std::nullopt;
    std::sort(values.begin(), values.end());
    const auto n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

run_outcome run(const std::vector<invoice>& population, const plugins& plugins, const run_options& options)
{
    if (!plugins.processor("simulator")) throw std::runtime_error("the simulator processor plugin is not loaded");
    const auto connector = billing_connector(plugins);

    std::atomic<std::int64_t> now{0};
    issuer bank(population, now);
    temp_dir dir;
    soci_store store(parse_database_url("sqlite:" + (dir.path() / "simulate.db").string()), 1);
    store.migrate_up();
    store.require_master_key();

    std::int64_t first_failure = population.empty() ? 0 : population.front().failed_at;
    for (const auto& inv : population) first_failure = std::min(first_failure, inv.failed_at);
    profile_record profile;
    profile.id = std::string(profile_id);
    profile.retry_algorithm = options.algorithm;
    profile.created_at = first_failure;
    store.add_profile(profile);
    json::object billing_settings{{"billing_account_reference", {{gateway_account, processor_mca_id}}}};
    store.add_mca({std::string(billing_mca_id), std::string(profile_id), connector, {"simulate:simulate"}, "simulate",
                   bank.platform_url(), json::serialize(billing_settings), first_failure});
    store.add_mca({std::string(processor_mca_id), std::string(profile_id), "simulator", {"unused"}, std::nullopt,
                   bank.base_url(), R"({"issuer_api":true})", first_failure});

    recoup::recovery_account account;
    account.profile_id = std::string(profile_id);
    account.mca_id = std::string(billing_mca_id);
    account.algorithm = recoup::enum_from_string<recoup::retry_algorithm>(options.algorithm)
                            .value_or(recoup::retry_algorithm::cascading);
    account.keep_raw_body = false;

    outbound::client client;
    scheduler sched(store, plugins, client, nullptr);
    const scheduler::clock_fn clock = [&now] { return now.load(); };

    // Invoices in the order they fail.
    std::vector<std::size_t> order(population.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return population[a].failed_at < population[b].failed_at; });
    std::int64_t end = 0;
    for (const auto& inv : population) end = std::max(end, inv.failed_at + options.horizon_days * day);

    std::size_t next = 0;
    const std::size_t max_iterations = (population.size() + 1) * iterations_per_invoice;
    std::size_t iteration = 0;
    for (; iteration < max_iterations; ++iteration) {
        std::optional<std::int64_t> at = store.next_task_time();
        if (next < order.size() && (!at || population[order[next]].failed_at < *at))
            at = population[order[next]].failed_at;
        if (!at || *at > end) break;
        now = std::max(now.load(), *at);
        // The platform's failure webhooks due by now, each in its own transaction as the host's.
        for (; next < order.size() && population[order[next]].failed_at <= now.load(); ++next) {
            const auto i = order[next];
            const auto w = failure_webhook(population[i], i);
            if (auto storable = recoup::check_storable(w, std::nullopt); !storable)
                throw std::runtime_error("invoice \"" + population[i].id + "\": " + storable.error().what());
            auto tx = store.begin();
            recoup::apply_webhook(tx, w, account, "", population[i].failed_at);
            tx.commit();
            bank.record_platform_failure(i);
        }
        sched.drain(clock);
    }
    if (iteration == max_iterations)
        throw std::runtime_error("the simulation did not reach its horizon in " + std::to_string(max_iterations) +
                                 " scheduler runs");

    run_outcome out;
    out.invoices = population.size();
    out.log = bank.log();
    if (const auto refused = bank.refused())
        throw std::runtime_error("the issuer refused " + std::to_string(refused) + " requests");
    out.violations = find_violations(out.log, recoup::default_network_rules());
    out.network_violations = out.violations.size();

    std::map<std::string, const invoice*> by_id;
    for (const auto& inv : population) by_id[inv.id] = &inv;
    std::map<std::string, std::int64_t> recovered_at;
    for (const auto& e : out.log) {
        if (e.platform) continue;
        const auto* inv = by_id.at(e.invoice_id);
        if (e.at > inv->failed_at + options.horizon_days * day) continue;
        ++out.attempts;
        if (e.approved && !recovered_at.contains(e.invoice_id)) recovered_at[e.invoice_id] = e.at;
    }
    std::vector<double> days;
    for (const auto& [id, at] : recovered_at) {
        const auto* inv = by_id.at(id);
        ++out.recovered_invoices;
        out.recovered_amount += inv->amount;
        out.recovered_amount_by_currency[inv->currency] += inv->amount;
        days.push_back(static_cast<double>(at - inv->failed_at) / static_cast<double>(day));
    }
    out.median_days_to_recovery = median(std::move(days));
    return out;
}

std::string attempt_json(const attempt_entry& e)
{
    json::object o;
    o["at"] = e.at;
    o["invoice"] = e.invoice_id;
    o["method"] = e.method_id;
    o["network"] = e.network;
    o["outcome"] = e.approved ? "approved" : "declined";
    if (!e.approved) {
        o["decline"] = e.decline;
        o["code"] = e.network_code;
        if (!e.advice_code.empty()) o["advice"] = e.advice_code;
    }
    o["by"] = e.platform ? "platform" : "recoup";
    return json::serialize(o);
}

std::string summary_json(const run_outcome& r, const run_options& options)
{
    json::object o;
    o["invoices"] = r.invoices;
    o["recovered_invoices"] = r.recovered_invoices;
    o["recovered_amount"] = r.recovered_amount;
    o["attempts"] = r.attempts;
    o["network_violations"] = r.network_violations;
    // Two decimals as written ("5.13", not Boost.JSON's "5.13E0"): spliced in after serializing.
    constexpr std::string_view median_mark = "@median_days_to_recovery@";
    o["median_days_to_recovery"] = median_mark;
    o["algorithm"] = options.algorithm;
    o["horizon_days"] = options.horizon_days;
    json::object by_currency;
    for (const auto& [currency, amount] : r.recovered_amount_by_currency) by_currency[currency] = amount;
    o["recovered_amount_by_currency"] = std::move(by_currency);
    json::object rules;
    for (const auto& v : r.violations) rules[v.rule] = (rules.contains(v.rule) ? rules[v.rule].as_int64() : 0) + 1;
    o["violations_by_rule"] = std::move(rules);
    auto text = json::serialize(o);
    std::string median = "null";
    if (r.median_days_to_recovery) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2f", *r.median_days_to_recovery);
        median = buf;
    }
    const std::string quoted = "\"" + std::string(median_mark) + "\"";
    text.replace(text.find(quoted), quoted.size(), median);
    return text;
}

} // namespace recoupd::simulation

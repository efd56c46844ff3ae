#include "simulation/violations.hpp"

#include <recoup/decline.hpp>

#include <algorithm>
#include <map>
#include <numeric>
#include <utility>

namespace recoupd::simulation {

namespace {

bool listed(const std::vector<std::string>& list, const std::string& value)
{
    return !value.empty() && std::find(list.begin(), list.end(), value) != list.end();
}

bool matches(const recoup::never_retry_rule& rule, recoup::card_network network, const attempt_entry& e)
{
    if (e.approved) return false;
    if (rule.network && *rule.network != network) return false;
    if (listed(rule.network_codes, e.network_code) || listed(rule.advice_codes, e.advice_code)) return true;
    const auto cls = recoup::classify_stripe(std::string_view(e.decline),
                                             e.network_code.empty() ? std::nullopt : std::optional<std::string_view>(e.network_code),
                                             e.advice_code.empty() ? std::nullopt : std::optional<std::string_view>(e.advice_code),
                                             network);
    return std::find(rule.classes.begin(), rule.classes.end(), cls) != rule.classes.end();
}

bool applies(const recoup::budget_limit& limit, recoup::card_network network)
{
    // Every attempt here is merchant-initiated: a customer-only limit counts none of them.
    return (!limit.network || *limit.network == network) && limit.initiator != recoup::attempt_initiator::customer;
}

} // namespace

std::vector<violation> find_violations(std::span<const attempt_entry> log, const recoup::network_rules& rules)
{
    // Each credential's attempts in time order (ties: log order).
    std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> credentials;
    std::vector<std::size_t> order(log.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return log[a].at < log[b].at; });
    for (const auto i : order) credentials[{log[i].invoice_id, log[i].method_id}].push_back(i);

    std::vector<violation> out;
    for (const auto& [credential, attempts] : credentials) {
        // Whether each attempt counts as a reattempt: it follows a decline with no approval between.
        std::vector<bool> reattempt(attempts.size(), false);
        for (std::size_t k = 1; k < attempts.size(); ++k) reattempt[k] = !log[attempts[k - 1]].approved;
        for (std::size_t k = 0; k < attempts.size(); ++k) {
            const auto& e = log[attempts[k]];
            const auto network = recoup::network_from_brand(e.network);
            std::string broken;
            // Never again after such a decline, since the last approval.
            for (std::size_t j = k; j-- > 0 && broken.empty();) {
                const auto& earlier = log[attempts[j]];
                if (earlier.approved) break;
                for (const auto& rule : rules.never_retry)
                    if (matches(rule, network, earlier)) {
                        broken = rule.name;
                        break;
                    }
            }
            for (const auto& limit : rules.limits) {
                if (!broken.empty()) break;
                if (!applies(limit, network)) continue;
                std::int64_t counted = 0;
                for (std::size_t j = 0; j <= k; ++j) {
                    const auto& other = log[attempts[j]];
                    if (other.at <= e.at - limit.window_seconds) continue;
                    const bool counts = limit.counts == recoup::budget_counts::declines ? !other.approved : reattempt[j];
                    if (counts) ++counted;
                }
                if (counted > limit.max_attempts) broken = limit.name;
            }
            if (!broken.empty()) out.push_back({attempts[k], broken});
        }
    }
    std::sort(out.begin(), out.end(), [](const violation& a, const violation& b) { return a.attempt < b.attempt; });
    return out;
}

} // namespace recoupd::simulation

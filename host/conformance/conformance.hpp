// recoupd: the conformance checker. A case directory holds request.json (what a platform sends,
// the MCA's secrets and settings, the clock, canned sync responses) and expected.json (any
// subset of the normalized result). run_case() verifies, normalizes (performing the sync loop
// from the canned responses) and compares; it works with any billing_connector, the loaded
// plugin or a static class, so tests can reuse it.
#pragma once

#include <recoup/clock.hpp>
#include <recoup/connector.hpp>
#include <recoup/error.hpp>
#include <recoup/webhook_request.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <exception>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace recoupd::conformance {

namespace json = boost::json;

// Rounds of sync requests answered before a connector that keeps asking fails the case.
inline constexpr int max_sync_rounds = 4;

// A case directory that cannot be used; the message names the file and what is wrong.
class malformed_case : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct canned_response {
    int status = 200;
    std::vector<recoup::http_header> headers;
    std::string body; // byte-exact file contents
};

// One case directory, read and validated.
struct test_case {
    std::string name; // the directory as given on the command line
    recoup::owned_request request;
    std::vector<std::string> secrets;
    std::string api_key;
    json::object settings;
    recoup::time_point now;
    std::map<std::string, canned_response, std::less<>> sync_responses; // "<METHOD> <path>"
    json::object expected;

    // Points into this case: valid while it lives.
    recoup::mca_config mca() const;
    const canned_response* answer(const recoup::outbound_request& r) const;
};

// Throws malformed_case.
test_case load_case(const std::filesystem::path& dir, std::string name);

// What running a case produced. `actual` is the document expected.json is compared against:
// verified, error {kind, field, message}, and the normalized webhook's fields (event_type,
// event_id, object_reference_id, invoice, attempt, sync_requests, api_response).
struct observation {
    json::object actual;
    std::optional<recoup::failure> verify_failure;
    std::optional<recoup::failure> normalize_failure;
    std::optional<std::string> problem; // the run could not finish (a canned response is missing)
};

// Verifies, then normalizes whatever the verdict (the connector is a pure function; comparing
// both halves is more useful than stopping), answering sync requests from the canned responses.
template <recoup::billing_connector C>
observation observe(const C& connector, const test_case& c);

struct verdict {
    bool passed = false;
    std::string reason; // "<json path>: expected <x>, got <y>" when failed
};

// The first difference between expected.json and the observation.
verdict judge(const test_case& c, const observation& o);

// "PASS <case>" or "FAIL <case>: <reason>".
std::string format_line(std::string_view name, const verdict& v);

// Loads, observes and judges one directory; a malformed case or a throwing connector fails.
template <recoup::billing_connector C>
verdict run_case(const C& connector, const std::filesystem::path& dir);

// Subset comparison: keys present in `expected` must match (recursively), absent keys are not
// checked, null means null or absent; arrays compare element by element; numbers by value.
// Returns "<path>: expected <x>, got <y>" for the first difference.
std::optional<std::string> first_mismatch(const json::value& expected, const json::value* actual,
                                          const std::string& path);

namespace detail {
void record_normalized(observation& o, const recoup::result<recoup::normalized_webhook>& r);
std::string describe(const recoup::outbound_request& r); // "GET /transactions/uuid-x"
recoup::sync_exchange exchange(const recoup::outbound_request& r, const canned_response& answer);
} // namespace detail

template <recoup::billing_connector C>
observation observe(const C& connector, const test_case& c)
{
    observation o;
    const auto mca = c.mca();
    const auto request = c.request.view();

    auto verified = connector.verify_source(request, mca, c.now);
    o.actual["verified"] = verified.has_value();
    if (!verified) o.verify_failure = verified.error();

    std::vector<recoup::sync_exchange> exchanges;
    auto normalized = recoup::normalize(connector, request, mca, exchanges);
    for (int round = 0; normalized && !normalized->sync_requests.empty(); ++round) {
        if (round == max_sync_rounds) {
            o.problem = "sync: still asking after " + std::to_string(max_sync_rounds) + " rounds (next: " +
                        detail::describe(normalized->sync_requests.front()) + ")";
            break;
        }
        for (const auto& r : normalized->sync_requests) {
            const auto* answer = c.answer(r);
            if (answer == nullptr) {
                o.problem = "sync_responses: no canned response for \"" + detail::describe(r) + "\"";
                break;
            }
            exchanges.push_back(detail::exchange(r, *answer));
        }
        if (o.problem) break;
        normalized = recoup::normalize(connector, request, mca, exchanges);
    }
    detail::record_normalized(o, normalized);
    return o;
}

template <recoup::billing_connector C>
verdict run_case(const C& connector, const std::filesystem::path& dir)
{
    try {
        const auto c = load_case(dir, dir.string());
        return judge(c, observe(connector, c));
    } catch (const malformed_case& e) {
        return {false, e.what()};
    } catch (const std::exception& e) {
        return {false, std::string("connector threw: ") + e.what()};
    }
}

} // namespace recoupd::conformance

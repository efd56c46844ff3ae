// recoup: the payment-processor trait (docs/behaviour.md §5), the second plugin kind. A processor charges a
// stored payment method off-session for our own retries. Like a billing connector it is a pure
// transformer: it builds the request and parses the answer; the host performs the I/O. A
// processor that needs no network (the simulator) answers a step with a result at once.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/decline.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/domain.hpp>
#include <recoup/json.hpp>
#include <recoup/result.hpp>

#include <concepts>
#include <optional>
#include <string>

RECOUP_BEGIN_NAMESPACE

struct charge_request {
    std::string payment_id;
    std::string attempt_id;
    std::int64_t amount = 0;
    recoup::currency currency{};
    std::string payment_method_token;
    std::optional<std::string> customer_id;
    std::string idempotency_key; // one per attempt: a crash between charge and record never charges twice
    std::optional<std::string> description;
};

enum class charge_status { succeeded, failed, pending };
// Soft: may succeed later (insufficient funds); hard: never retry (stolen card, fraud). The
// cascading algorithm reads only this; the smart one reads the decline_class (decline.hpp).
enum class decline_kind { soft, hard };

// The kind a class implies: hard, fraud_suspected, card_expired_or_replaced (retrying the same
// stale card data cannot succeed) and authentication_required (no off-session retry can) are
// hard; insufficient_funds, try_later, do_not_honor and processing_error soft. A charge_result
// that has a decline_class has exactly this decline kind (the plugin ABI refuses any other).
constexpr decline_kind decline_kind_of(decline_class c) noexcept
{
    switch (c) {
    case decline_class::insufficient_funds:
    case decline_class::try_later:
    case decline_class::do_not_honor:
    case decline_class::processing_error: return decline_kind::soft;
    case decline_class::hard:
    case decline_class::card_expired_or_replaced:
    case decline_class::authentication_required:
    case decline_class::fraud_suspected: return decline_kind::hard;
    }
    return decline_kind::hard;
}

template <>
struct enum_names<charge_status> {
    static constexpr std::array<std::pair<charge_status, std::string_view>, 3> values{{
        {charge_status::succeeded, "succeeded"},
        {charge_status::failed, "failed"},
        {charge_status::pending, "pending"},
    }};
};

template <>
struct enum_names<decline_kind> {
    static constexpr std::array<std::pair<decline_kind, std::string_view>, 2> values{{
        {decline_kind::soft, "soft"},
        {decline_kind::hard, "hard"},
    }};
};

struct charge_result {
    charge_status status = charge_status::failed;
    std::optional<decline_kind> decline; // set when failed
    std::optional<std::string> error_code;
    std::optional<std::string> error_message;
    std::optional<std::string> processor_transaction_id;
    // The decline taxonomy (decline.hpp), set when failed and the processor knows it; the plugin
    // ABI carries them as optional keys "decline_class", "network", "network_decline_code",
    // "network_advice_code" (an older plugin omits them). The network codes are stored in
    // VARCHAR(16) columns (column_limits.hpp).
    std::optional<recoup::decline_class> decline_class{};
    std::optional<card_network> network{};
    std::optional<std::string> network_decline_code{};
    std::optional<std::string> network_advice_code{};
};

// A failed charge_result of `cls`, with the decline kind it implies.
charge_result declined_charge(recoup::decline_class cls, std::optional<std::string> error_code,
                              std::optional<std::string> error_message);

// Either a request for the host to perform, or the result already.
struct charge_step {
    std::optional<outbound_request> request;
    std::optional<charge_result> result;
};

// Polling a pending charge.
struct status_request {
    std::string processor_transaction_id;
    charge_request charge;
};

template <class P>
concept payment_processor = requires(const P& p, const charge_request& c, const status_request& s,
                                     const mca_config& mca, const http_response& response) {
    { p.build_charge(c, mca) } -> std::same_as<result<charge_step>>;
    { p.parse_charge(c, response) } -> std::same_as<result<charge_result>>;
    { p.build_status(s, mca) } -> std::same_as<result<charge_step>>;
    { p.parse_status(s, response) } -> std::same_as<result<charge_result>>;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const charge_request& r);
charge_request tag_invoke(const boost::json::value_to_tag<charge_request>&, const boost::json::value& jv);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const charge_result& r);
charge_result tag_invoke(const boost::json::value_to_tag<charge_result>&, const boost::json::value& jv);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const charge_step& s);
charge_step tag_invoke(const boost::json::value_to_tag<charge_step>&, const boost::json::value& jv);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const status_request& s);
status_request tag_invoke(const boost::json::value_to_tag<status_request>&, const boost::json::value& jv);

RECOUP_END_NAMESPACE

#include <recoup/impl/processor.hpp>

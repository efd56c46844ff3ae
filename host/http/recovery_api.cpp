// The recovery API (recovery_api.hpp): parse the query, read through store/recovery_queries.hpp,
// answer with http/recovery_json.hpp.
#include "http/recovery_api.hpp"

#include "app.hpp"
#include "http/admin.hpp"
#include "http/recovery_json.hpp"
#include "http/recovery_query.hpp"
#include "http/reply.hpp"
#include "http/route.hpp"
#include "../log.hpp" // the shared log at the host root, not http/log.hpp

#include <recoup/api_error.hpp>
#include <recoup/error.hpp>

#include <boost/json.hpp>

namespace recoupd::http {

namespace {

namespace json = boost::json;
namespace api_error = recoup::api_error;

response bad_parameter(const request& req, const query_error& e)
{
    return reply::error(req, 400, api_error::invalid_request, api_error::invalid_parameter, e.message);
}

// Runs read() and answers its JSON with 200; a database fault is 503 (HE_03) and a row that cannot
// be read 500 (HE_00), each logged with its detail for the operator, never in the body.
template <class Read>
response answer(app& a, const request& req, std::string_view route, Read&& read)
{
    try {
        return read();
    } catch (const recoup::storage_error& e) {
        a.metrics.count_database_error();
        log_json(json::object{{"route", route},
                              {"status", 503},
                              {"error", recoup::to_string(recoup::error::storage_unavailable)},
                              {"detail", e.what()}});
        return reply::unavailable(req, api_error::storage_unavailable,
                                  api_error::public_message(api_error::storage_unavailable), a.config.retry_after);
    } catch (const std::exception& e) {
        log_json(json::object{{"route", route},
                              {"status", 500},
                              {"error", recoup::to_string(recoup::error::internal_fault)},
                              {"detail", e.what()}});
        return reply::internal(req, api_error::public_message(api_error::internal));
    }
}

std::string_view query_of(const request& req) { return split_target(req.target()).second; }

} // namespace

response handle_recovery_invoices(app& a, const request& req)
{
    if (!admin_authorized(req)) return reply::unauthorized(req, "a valid admin bearer token is required");
    auto parsed = parse_invoice_query(query_of(req));
    if (const auto* e = std::get_if<query_error>(&parsed)) return bad_parameter(req, *e);
    const auto& filter = std::get<invoice_filter>(parsed);
    return answer(a, req, "recovery_invoices", [&] {
        return reply::json(req, 200, json::serialize(to_json(list_invoices(a.store, filter))));
    });
}

response handle_recovery_invoice(app& a, const request& req, const std::string& payment_id)
{
    if (!admin_authorized(req)) return reply::unauthorized(req, "a valid admin bearer token is required");
    return answer(a, req, "recovery_invoice", [&] {
        const auto timeline = invoice_timeline_of(a.store, payment_id);
        if (!timeline) return reply::not_found(req, "unknown payment " + payment_id);
        return reply::json(req, 200, json::serialize(to_json(*timeline)));
    });
}

response handle_recovery_summary(app& a, const request& req)
{
    if (!admin_authorized(req)) return reply::unauthorized(req, "a valid admin bearer token is required");
    auto parsed = parse_summary_query(query_of(req));
    if (const auto* e = std::get_if<query_error>(&parsed)) return bad_parameter(req, *e);
    const auto& q = std::get<summary_query>(parsed);
    return answer(a, req, "recovery_summary", [&] {
        return reply::json(req, 200, json::serialize(to_json(summary_of(a.store, q.profile_id, q.from, q.to))));
    });
}

} // namespace recoupd::http

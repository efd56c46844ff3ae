#include "simulation/population.hpp"

#include <recoup/money.hpp>

#include <boost/json.hpp>

#include <set>

namespace recoupd::simulation {

namespace json = boost::json;

namespace {

[[noreturn]] void bad(const std::string& what) { throw population_error(what); }

const json::value& member(const json::object& o, std::string_view key, std::string_view where)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr) bad(std::string(where) + ": \"" + std::string(key) + "\" is missing");
    return *v;
}

std::string text(const json::object& o, std::string_view key, std::string_view where)
{
    const auto& v = member(o, key, where);
    if (!v.is_string() || v.as_string().empty())
        bad(std::string(where) + ": \"" + std::string(key) + "\" must be a non-empty string");
    return std::string(v.as_string());
}

std::int64_t whole(const json::value& v, std::string_view key, std::string_view where)
{
    if (v.is_int64()) return v.as_int64();
    if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.as_uint64());
    bad(std::string(where) + ": \"" + std::string(key) + "\" must be a whole number");
}

segment segment_of(const json::value& v, const std::string& where)
{
    if (!v.is_object()) bad(where + ": a segment must be an object");
    const auto& o = v.as_object();
    segment s;
    if (const auto* u = o.if_contains("until")) s.until = whole(*u, "until", where);
    if (const auto* a = o.if_contains("approve")) {
        if (!a->is_bool()) bad(where + ": \"approve\" must be true or false");
        s.approve = a->get_bool();
    }
    if (o.contains("decline")) s.decline = text(o, "decline", where);
    if (o.contains("code")) s.code = text(o, "code", where);
    if (s.approve == !s.decline.empty())
        bad(where + ": a segment either approves (\"approve\": true) or declines (\"decline\": CODE)");
    return s;
}

payment_method method_of(const json::value& v, const std::string& where)
{
    if (!v.is_object()) bad(where + ": a method must be an object");
    const auto& o = v.as_object();
    payment_method m;
    m.id = text(o, "id", where);
    m.network = text(o, "network", where);
    const auto& t = member(o, "timeline", where);
    if (!t.is_array() || t.as_array().empty()) bad(where + ": \"timeline\" must be a non-empty array");
    const auto& segments = t.as_array();
    for (std::size_t i = 0; i < segments.size(); ++i) {
        auto s = segment_of(segments[i], where + " segment " + std::to_string(i + 1));
        const bool last = i + 1 == segments.size();
        if (last != !s.until)
            bad(where + " segment " + std::to_string(i + 1) +
                (last ? ": the last segment has no \"until\"" : ": only the last segment may omit \"until\""));
        if (!m.timeline.empty() && s.until && *s.until <= *m.timeline.back().until)
            bad(where + " segment " + std::to_string(i + 1) + ": \"until\" must increase");
        m.timeline.push_back(std::move(s));
    }
    return m;
}

} // namespace

const segment& payment_method::at(std::int64_t t) const
{
    for (const auto& s : timeline)
        if (!s.until || t < *s.until) return s;
    return timeline.back();
}

invoice parse_invoice(std::string_view line)
{
    boost::system::error_code ec;
    const auto doc = json::parse(line, ec);
    if (ec) bad("not JSON: " + ec.message());
    if (!doc.is_object()) bad("an invoice must be a JSON object");
    const auto& o = doc.as_object();
    invoice inv;
    inv.id = text(o, "id", "invoice");
    const std::string where = "invoice \"" + inv.id + "\"";
    inv.amount = whole(member(o, "amount", where), "amount", where);
    if (inv.amount <= 0) bad(where + ": \"amount\" must be positive");
    inv.currency = text(o, "currency", where);
    if (!recoup::find_currency(inv.currency)) bad(where + ": unknown currency \"" + inv.currency + "\"");
    inv.failed_at = whole(member(o, "failed_at", where), "failed_at", where);
    if (inv.failed_at < 0) bad(where + ": \"failed_at\" must not be negative");
    const auto& methods = member(o, "methods", where);
    if (!methods.is_array() || methods.as_array().empty()) bad(where + ": \"methods\" must be a non-empty array");
    std::set<std::string> ids;
    for (const auto& m : methods.as_array()) {
        inv.methods.push_back(method_of(m, where + " method " + std::to_string(inv.methods.size() + 1)));
        if (!ids.insert(inv.methods.back().id).second)
            bad(where + ": method \"" + inv.methods.back().id + "\" is listed twice");
    }
    return inv;
}

std::vector<invoice> read_population(std::istream& in)
{
    std::vector<invoice> out;
    std::set<std::string> ids;
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            out.push_back(parse_invoice(line));
        } catch (const population_error& e) {
            throw population_error("line " + std::to_string(number) + ": " + e.what());
        }
        if (!ids.insert(out.back().id).second)
            throw population_error("line " + std::to_string(number) + ": invoice \"" + out.back().id +
                                   "\" appears twice");
    }
    return out;
}

std::string to_json_line(const invoice& inv)
{
    json::object o;
    o["id"] = inv.id;
    o["amount"] = inv.amount;
    o["currency"] = inv.currency;
    o["failed_at"] = inv.failed_at;
    json::array methods;
    for (const auto& m : inv.methods) {
        json::object mo;
        mo["id"] = m.id;
        mo["network"] = m.network;
        json::array timeline;
        for (const auto& s : m.timeline) {
            json::object so;
            if (s.until) so["until"] = *s.until;
            if (s.approve) so["approve"] = true;
            else {
                so["decline"] = s.decline;
                if (!s.code.empty()) so["code"] = s.code;
            }
            timeline.push_back(std::move(so));
        }
        mo["timeline"] = std::move(timeline);
        methods.push_back(std::move(mo));
    }
    o["methods"] = std::move(methods);
    return json::serialize(o);
}

} // namespace recoupd::simulation

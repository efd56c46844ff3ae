// The dashboard's frame, login form and home page (summary, chart, invoice list).
#include "http/dashboard_pages.hpp"

#include "http/dashboard_chart.hpp"
#include "http/html.hpp"

#include <recoup/domain.hpp>
#include <recoup/form.hpp>

#include <charconv>
#include <cstdio>

namespace recoupd::http::dashboard_pages {

namespace {

using html::escape;
using dashboard_chart::money_text;
using dashboard_chart::time_text;

// Shortest text that reads back as the same double: what data-value carries.
std::string exact(double v)
{
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : std::string("0");
}

std::string fixed(double v, int decimals)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string figure(std::string_view name, std::string_view label, std::string_view value, std::string_view shown,
                   std::string_view extra_attributes = {})
{
    return "<div class=\"figure\" data-figure=\"" + std::string(name) + "\" data-value=\"" + escape(value) + "\"" +
           std::string(extra_attributes) + "><span class=\"label\">" + escape(label) + "</span><span class=\"value\">" +
           escape(shown) + "</span></div>";
}

std::string summary_figures(const recovery_summary& s)
{
    std::string out = "<section class=\"figures\" id=\"summary\" aria-label=\"Summary\">";
    out += figure("invoices", "Invoices", std::to_string(s.total.invoices), std::to_string(s.total.invoices));
    out += figure("invoices_in_recovery", "In recovery", std::to_string(s.total.invoices_in_recovery),
                  std::to_string(s.total.invoices_in_recovery));
    out += figure("recovered_invoices", "Recovered invoices", std::to_string(s.total.recovered_invoices),
                  std::to_string(s.total.recovered_invoices));
    if (s.total.recovered_amount.empty())
        out += figure("recovered_amount", "Recovered amount", "0", "0", " data-currency=\"\"");
    for (const auto& [currency, amount] : s.total.recovered_amount)
        out += figure("recovered_amount", "Recovered " + currency, std::to_string(amount), money_text(amount, currency),
                      " data-currency=\"" + escape(currency) + "\"");
    out += figure("recovery_rate", "Recovery rate", exact(s.recovery_rate), fixed(s.recovery_rate * 100, 1) + " %");
    out += figure("attempts_per_recovery", "Attempts per recovery", exact(s.attempts_per_recovery),
                  fixed(s.attempts_per_recovery, 1));
    return out + "</section>";
}

std::string chart_panel(const recovery_summary& s)
{
    std::map<std::string, std::vector<dashboard_chart::day_amount>> by_currency;
    for (const auto& [day, tally] : s.per_day)
        for (const auto& [currency, amount] : tally.recovered_amount) by_currency[currency].push_back({day, amount});
    std::string out = "<section class=\"panel\" id=\"chart\"><h2>Recovered per day</h2>";
    if (by_currency.empty()) out += "<p class=\"empty\">Nothing recovered yet.</p>";
    for (const auto& [currency, days] : by_currency) {
        if (by_currency.size() > 1) out += "<h3>" + escape(currency) + "</h3>";
        out += dashboard_chart::recovered_per_day_svg(currency, days);
    }
    return out + "</section>";
}

std::string value_of(const form_fields& fields, std::string_view name)
{
    for (const auto& [k, v] : fields)
        if (k == name) return v;
    return {};
}

std::string text_input(const form_fields& fields, std::string_view name, std::string_view label,
                       std::string_view type = "text", std::string_view placeholder = {})
{
    const auto n = std::string(name);
    return "<label>" + escape(label) + " <input type=\"" + std::string(type) + "\" name=\"" + n + "\" id=\"filter-" + n +
           "\" value=\"" + escape(value_of(fields, name)) + "\"" +
           (placeholder.empty() ? "" : " placeholder=\"" + escape(placeholder) + "\"") + "></label>";
}

std::string filter_form(const form_fields& fields)
{
    std::string out = "<form class=\"filters\" id=\"filters\" method=\"get\" action=\"" + std::string(home_path) + "\">";
    out += text_input(fields, "profile_id", "Profile");
    const auto status = value_of(fields, "status");
    out += "<label>Status <select name=\"status\" id=\"filter-status\"><option value=\"\">any</option>";
    for (const auto& [value, name] : recoup::enum_names<recoup::intent_status>::values)
        out += "<option" + std::string(status == name ? " selected" : "") + ">" + std::string(name) + "</option>";
    out += "</select></label>";
    out += text_input(fields, "connector", "Connector", "text", "stripe_billing");
    out += text_input(fields, "decline_class", "Decline class");
    out += text_input(fields, "from", "From", "date");
    out += text_input(fields, "to", "To", "date");
    const auto limit = value_of(fields, "limit");
    if (!limit.empty()) out += "<input type=\"hidden\" name=\"limit\" value=\"" + escape(limit) + "\">";
    out += "<div class=\"actions\"><button type=\"submit\">Filter</button> <a href=\"" + std::string(home_path) +
           "\">Clear</a></div></form>";
    return out;
}

// /dashboard?<the filter fields>[&cursor=...]: the page links keep the filter.
std::string page_link(const form_fields& fields, const std::optional<invoice_cursor>& cursor)
{
    std::string query;
    for (const auto& [k, v] : fields)
        if (k != "cursor" && !v.empty()) recoup::append_form_field(query, recoup::percent_encode(k), v);
    if (cursor) recoup::append_form_field(query, "cursor", encode_cursor(*cursor));
    return std::string(home_path) + (query.empty() ? "" : "?" + query);
}

std::string cell(std::string_view label, std::string_view content_html, std::string_view cls = {})
{
    return "<td data-label=\"" + std::string(label) + "\"" + (cls.empty() ? "" : " class=\"" + std::string(cls) + "\"") +
           ">" + std::string(content_html) + "</td>";
}

std::string invoice_table(const invoice_page& page)
{
    if (page.data.empty()) return "<p class=\"empty\" id=\"no-invoices\">No invoice matches.</p>";
    std::string out = "<div class=\"table-wrap\"><table class=\"invoices\" id=\"invoices\"><thead><tr><th>Invoice</th>"
                      "<th>Payment</th><th>Profile</th><th>Connector</th><th>Status</th><th class=\"num\">Amount</th>"
                      "<th class=\"num\">Attempts</th><th>Last decline</th><th>Next retry</th><th>Updated</th></tr></thead><tbody>";
    for (const auto& i : page.data) {
        const auto link = std::string(invoice_path) + recoup::percent_encode(i.payment_id);
        const auto status = std::string(recoup::to_string(i.status));
        std::string decline = i.last_decline_class ? escape(*i.last_decline_class) : std::string();
        if (i.last_decline_code) decline += (decline.empty() ? "" : " ") + std::string("<code>") + escape(*i.last_decline_code) + "</code>";
        out += "<tr data-payment-id=\"" + escape(i.payment_id) + "\" data-invoice=\"" + escape(i.invoice) + "\">";
        out += cell("Invoice", "<a class=\"invoice-id\" href=\"" + escape(link) + "\">" + escape(i.invoice) + "</a>");
        out += cell("Payment", "<code>" + escape(i.payment_id) + "</code>");
        out += cell("Profile", escape(i.profile_id));
        out += cell("Connector", escape(i.connector.value_or("")));
        out += cell("Status", "<span class=\"status status-" + status + "\">" + status + "</span>");
        out += cell("Amount", escape(money_text(i.amount, i.currency)), "num");
        out += cell("Attempts", std::to_string(i.attempts), "num");
        out += cell("Last decline", decline);
        out += cell("Next retry", i.next_retry_at ? escape(time_text(*i.next_retry_at)) : std::string());
        out += cell("Updated", escape(time_text(i.modified_at)));
        out += "</tr>";
    }
    return out + "</tbody></table></div>";
}

} // namespace

std::string frame(std::string_view title, std::string_view main, bool signed_in)
{
    std::string out = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                      "<title>" + escape(title) + " · recoup</title>"
                      "<link rel=\"stylesheet\" href=\"" + std::string(style_path) + "\"></head><body>"
                      "<header class=\"topbar\"><a class=\"brand\" href=\"" + std::string(home_path) + "\">recoup</a>";
    if (signed_in)
        out += "<form method=\"post\" action=\"" + std::string(logout_path) +
               "\" class=\"logout\"><button type=\"submit\" id=\"logout\">Log out</button></form>";
    out += "</header><main>";
    out += main;
    return out + "</main></body></html>";
}

std::string login(std::string_view message, bool enabled)
{
    std::string main = "<section class=\"panel login\"><h1>Sign in</h1>";
    if (!enabled)
        main += "<p class=\"error\" id=\"login-error\">The dashboard is off: RECOUP_ADMIN_TOKEN is not set on this host.</p>";
    else if (!message.empty())
        main += "<p class=\"error\" id=\"login-error\">" + escape(message) + "</p>";
    main += "<p>Enter the admin token (RECOUP_ADMIN_TOKEN) once; a session cookie keeps you signed in.</p>"
            "<form method=\"post\" action=\"" + std::string(login_path) + "\" id=\"login\">"
            "<label>Admin token <input type=\"password\" name=\"token\" id=\"token\" autocomplete=\"current-password\" required></label>"
            "<div class=\"actions\"><button type=\"submit\" id=\"sign-in\">Sign in</button></div></form></section>";
    return frame("Sign in", main, false);
}

std::string home(const home_view& view)
{
    std::string main = "<h1>Recovery</h1>";
    if (view.summary) {
        main += summary_figures(*view.summary);
        main += chart_panel(*view.summary);
    }
    main += "<section class=\"panel\" id=\"invoice-list\"><h2>Invoices</h2>" + filter_form(view.fields);
    if (!view.error.empty()) main += "<p class=\"error\" id=\"filter-error\">" + escape(view.error) + "</p>";
    if (view.page) {
        main += invoice_table(*view.page);
        main += "<nav class=\"pages\" aria-label=\"Pages\">";
        if (!view.on_first_page)
            main += "<a id=\"first-page\" href=\"" + escape(page_link(view.fields, std::nullopt)) + "\">First page</a>";
        if (view.page->next_cursor)
            main += "<a id=\"next-page\" rel=\"next\" href=\"" + escape(page_link(view.fields, view.page->next_cursor)) +
                    "\">Next page</a>";
        main += "</nav>";
    }
    main += "</section>";
    return frame("Dashboard", main, true);
}

std::string invoice_not_found(std::string_view payment_id)
{
    return frame("Not found",
                 "<p><a href=\"" + std::string(home_path) + "\">All invoices</a></p><h1>No such invoice</h1><p id=\"not-found\">"
                 "No payment has the id <code>" + escape(payment_id) + "</code>.</p>",
                 true);
}

std::string unavailable()
{
    return frame("Unavailable",
                 "<h1>The database is unavailable</h1><p id=\"unavailable\">recoupd could not read the database. "
                 "Try again in a few seconds.</p>",
                 true);
}

} // namespace recoupd::http::dashboard_pages

// The dashboard's invoice page: one invoice's facts and its timeline (webhooks, attempts, tasks,
// record-backs, outgoing webhooks), each row's values escaped.
#include "http/dashboard_chart.hpp"
#include "http/dashboard_pages.hpp"
#include "http/html.hpp"

#include <recoup/domain.hpp>

namespace recoupd::http::dashboard_pages {

namespace {

using html::escape;
using dashboard_chart::money_text;
using dashboard_chart::time_text;

std::string opt(const std::optional<std::string>& s) { return s ? escape(*s) : std::string(); }

std::string fact(std::string_view name, std::string_view label, std::string_view value_html)
{
    return "<div data-field=\"" + std::string(name) + "\"><dt>" + std::string(label) + "</dt><dd>" +
           std::string(value_html) + "</dd></div>";
}

// A table of one timeline section: its header row, then rows of already escaped cells.
struct section {
    std::string name, title;
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;

    std::string render() const
    {
        std::string out = "<section class=\"panel\" data-section=\"" + name + "\" data-count=\"" +
                          std::to_string(rows.size()) + "\"><h2>" + title + " <span class=\"count\">" +
                          std::to_string(rows.size()) + "</span></h2>";
        if (rows.empty()) return out + "<p class=\"empty\">None.</p></section>";
        out += "<div class=\"table-wrap\"><table><thead><tr>";
        for (const auto& c : columns) out += "<th>" + c + "</th>";
        out += "</tr></thead><tbody>";
        for (const auto& row : rows) {
            out += "<tr>";
            for (std::size_t i = 0; i < row.size() && i < columns.size(); ++i)
                out += "<td data-label=\"" + columns[i] + "\">" + row[i] + "</td>";
            out += "</tr>";
        }
        return out + "</tbody></table></div></section>";
    }
};

std::vector<std::string> task_row(const recoup::task_record& t)
{
    return {"<code>" + escape(t.name) + "</code>", escape(t.status),       escape(t.business_status),
            std::to_string(t.retry_count),          escape(time_text(t.schedule_time)), escape(time_text(t.updated_at))};
}

const std::vector<std::string> task_columns{"Task", "Status", "Business status", "Retries", "Scheduled", "Updated"};

} // namespace

std::string invoice(const invoice_timeline& t)
{
    const auto& i = t.invoice;
    const auto status = std::string(recoup::to_string(i.status));
    std::string main = "<p><a href=\"" + std::string(home_path) + "\">&larr; All invoices</a></p>";
    main += "<h1>Invoice <span id=\"invoice-id\">" + escape(i.invoice) + "</span></h1>";
    main += "<dl class=\"facts\" id=\"facts\" data-payment-id=\"" + escape(i.payment_id) + "\">";
    main += fact("payment_id", "Payment", "<code>" + escape(i.payment_id) + "</code>");
    main += fact("status", "Status", "<span class=\"status status-" + status + "\">" + status + "</span>");
    main += fact("amount", "Amount", escape(money_text(i.amount, i.currency)));
    main += fact("profile_id", "Profile", escape(i.profile_id));
    main += fact("connector", "Connector", opt(i.connector) + " <code>" + escape(i.billing_mca_id) + "</code>");
    main += fact("retry_count", "Failures seen", std::to_string(i.retry_count));
    main += fact("last_decline", "Last decline", opt(i.last_decline_class) + " " + opt(i.last_decline_code));
    main += fact("next_retry_at", "Next retry", i.next_retry_at ? escape(time_text(*i.next_retry_at)) : "none");
    main += fact("created_at", "Created", escape(time_text(i.created_at)));
    main += fact("modified_at", "Updated", escape(time_text(i.modified_at)));
    main += "</dl>";

    section webhooks{"webhooks", "Webhooks", {"Received", "Event", "Type", "Action", "Outcome", "HTTP"}, {}};
    for (const auto& w : t.webhooks)
        webhooks.rows.push_back({escape(time_text(w.received_at)), "<code>" + opt(w.connector_event_id) + "</code>",
                                 escape(w.event_type), escape(w.action), escape(w.outcome), std::to_string(w.http_status)});
    section attempts{"attempts",
                     "Attempts",
                     {"Created", "Status", "Amount", "By", "Transaction", "Error", "Decline class", "Network codes"},
                     {}};
    for (const auto& a : t.attempts) {
        const auto& r = a.attempt;
        std::string error = "<code>" + opt(r.error_code) + "</code>";
        if (r.error_message) error += " " + escape(*r.error_message);
        std::string network = opt(a.network);
        for (const auto* code : {&a.network_decline_code, &a.network_advice_code})
            if (*code) network += " <code>" + escape(**code) + "</code>";
        attempts.rows.push_back({escape(time_text(r.created_at)), escape(recoup::to_string(r.status)),
                                 escape(money_text(r.amount, r.currency.str())), escape(recoup::to_string(r.triggered_by)),
                                 "<code>" + escape(r.connector_payment_id) + "</code>", error, opt(a.decline_class), network});
    }
    section tasks{"tasks", "Tasks", task_columns, {}};
    for (const auto& task : t.tasks) tasks.rows.push_back(task_row(task));
    section record_backs{"record_backs", "Record-backs", task_columns, {}};
    for (const auto& task : t.record_backs) record_backs.rows.push_back(task_row(task));
    section outgoing{"outgoing_webhooks",
                     "Outgoing webhooks",
                     {"Created", "Event", "Webhook id", "Endpoint", "Status", "Attempts", "Last HTTP", "Next attempt", "Delivered"},
                     {}};
    for (const auto& o : t.outgoing_webhooks)
        outgoing.rows.push_back({escape(time_text(o.created_at)), escape(o.event_type), "<code>" + escape(o.id) + "</code>",
                                 "<code>" + escape(o.endpoint_id) + "</code>", escape(o.status), std::to_string(o.attempts),
                                 o.last_status ? std::to_string(*o.last_status) : std::string(),
                                 o.status == "pending" ? escape(time_text(o.next_attempt_at)) : std::string(),
                                 o.delivered_at ? escape(time_text(*o.delivered_at)) : std::string()});
    for (const auto* s : {&webhooks, &attempts, &tasks, &record_backs, &outgoing}) main += s->render();
    return frame("Invoice " + i.invoice, main, true);
}

} // namespace recoupd::http::dashboard_pages

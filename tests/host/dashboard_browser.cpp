// The dashboard (issue #14, docs/dashboard.md) in a real browser: a `recoupd serve` holding five
// invoices made through real Chargebee webhooks (the project's own payload, tests/fixtures) and a
// real `recoupd scheduler --once` with the simulator processor (three recovered, one retrying,
// one hard decline whose decline text is hostile markup, its invoice id made so by SQL), a loopback
// fake of Chargebee's API for the record-backs; then headless Chromium (Debian's package) driven over the DevTools protocol:
// the figures, the chart and the invoice list read from the DOM are checked against SQL, the
// phone layout has no sideways scroll, the login form sets an HttpOnly SameSite=Strict cookie,
// and screenshots are saved under <build>/tests/host/. The same pages over plain HTTP check the
// headers, the cookie's rules and the escaping. Run with "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE dashboard_browser
#define BOOST_TEST_NO_MAIN
#include "browser.hpp"
#include "fake_platform.hpp"
#include "http_harness.hpp"

#include "http/dashboard_session.hpp"

#include <recoup/money.hpp>

#include <boost/json.hpp>

#include <map>
#include <set>

using namespace http_test;
namespace json = boost::json;

namespace {

const std::string admin_token = "dash_admin_token_9f3b7c21";
// Chargebee's connector only takes invoice ids of [A-Za-z0-9_-], so this one is written by SQL:
// the page must not rely on any connector's checks. The decline text arrives by webhook.
const std::string hostile_invoice = "inv_<img src=x onerror=alert(1)>&'<b>";
const std::string hostile_error = "Declined <img src=x onerror=alert(2)> & 'q' \"dq\" <b>bold</b>";

struct invoice_spec {
    std::string invoice, token, currency;
    long long amount;
};

const std::vector<invoice_spec> invoices{{"inv_dash_1", "tok_success", "EUR", 3900},
                                         {"inv_dash_2", "tok_success", "EUR", 2500},
                                         {"inv_dash_3", "tok_insufficient_funds", "EUR", 1200},
                                         {"inv_dash_4", "tok_stolen_card", "EUR", 4200},
                                         {"inv_dash_5", "tok_success", "USD", 990}};

// tests/fixtures/chargebee/payment_failed_card.json about another invoice, amount, currency and card.
std::string chargebee_failure(const invoice_spec& s, int n)
{
    auto body = own_fixture("chargebee/payment_failed_card.json");
    body = replace_all(std::move(body), "\"ev_rc_PayFail0001\"", "\"ev_dash_" + std::to_string(n) + "\"");
    body = replace_all(std::move(body), "\"inv_rc_2041\"", json::serialize(json::value(s.invoice)));
    body = replace_all(std::move(body), "\"ch_rc_3QxFail002\"", "\"ch_dash_" + std::to_string(n) + "\"");
    body = replace_all(std::move(body), "\"amount_due\": 3900", "\"amount_due\": " + std::to_string(s.amount));
    body = replace_all(std::move(body), "\"EUR\"", "\"" + s.currency + "\"");
    if (s.invoice == "inv_dash_4")
        body = replace_all(std::move(body), "\"Your card was declined.\"", json::serialize(json::value(hostile_error)));
    return replace_all(std::move(body), "cus_RcAda0001/pm_RcCard0002", "cus_RcAda0001/" + s.token);
}

// What the dashboard should show, from SQL written here (the definition of docs/api.md: an
// invoice is in recovery when one of its attempts failed, recovered when it then succeeded).
struct expected_figures {
    long long invoices = 0, in_recovery = 0, recovered = 0, recovered_attempts = 0;
    std::map<std::string, long long> recovered_amount;
    std::set<std::string> payment_ids;
};

struct dashboard_world {
    fake_platform platform; // Chargebee's API, for the record-backs
    std::unique_ptr<world> w;
    std::string base;
    std::unique_ptr<browser_test::chromium> browser_process;
    std::unique_ptr<browser_test::devtools> browser_devtools;

    dashboard_world()
    {
        ::setenv("RECOUP_ADMIN_TOKEN", admin_token.c_str(), 1);
        const std::vector<mca_spec> mcas{{"mca_cb", "chargebee", {"cb_dash:cb_dash_pw"}, "cbkey_dash", platform.base_url(),
                                          {"billing_account_reference={\"gw_rc_stripe_eu\":\"mca_sim\"}"}},
                                         {"mca_sim", "simulator", {}, "", "", {}}};
        w = std::make_unique<world>(backend_from_args(), mcas, std::vector<std::string>{"--no-scheduler"});
        base = "http://127.0.0.1:" + std::to_string(w->host->port());
        int n = 0;
        for (const auto& s : invoices) {
            const auto body = chargebee_failure(s, ++n);
            const auto r = w->host->post(webhook_path("pro_1", "mca_cb"), chargebee_headers("cb_dash", "cb_dash_pw"), body);
            BOOST_REQUIRE_MESSAGE(r.status == 200, "webhook for " << s.invoice << ": " << r.status << " " << r.body);
        }
        // Every first retry is due by the latest schedule_time; the record-backs follow at once.
        const long long at = w->db.count("SELECT MAX(schedule_time) FROM process_tracker");
        for (int i = 0; i < 3; ++i)
            recoupd_cli(w->db, {"scheduler", "--once", "--now", std::to_string(at + i), "--plugin-dir", plugin_dir()});
        w->db.sql() << "UPDATE payment_intent SET merchant_reference_id = :h WHERE merchant_reference_id = 'inv_dash_4'",
            soci::use(hostile_invoice);
    }

    expected_figures expected()
    {
        expected_figures e;
        auto& sql = w->db.sql();
        const std::string failed = "EXISTS (SELECT 1 FROM payment_attempt a WHERE a.payment_id = p.id AND a.status = 'failure')";
        e.invoices = w->db.count("SELECT COUNT(*) FROM payment_intent");
        e.in_recovery = w->db.count("SELECT COUNT(*) FROM payment_intent p WHERE " + failed);
        e.recovered = w->db.count("SELECT COUNT(*) FROM payment_intent p WHERE p.status = 'succeeded' AND " + failed);
        e.recovered_attempts = w->db.count(
            "SELECT COUNT(*) FROM payment_attempt x JOIN payment_intent p ON p.id = x.payment_id WHERE p.status = 'succeeded' AND " +
            failed);
        soci::rowset<std::string> currencies = (sql.prepare << "SELECT DISTINCT p.currency FROM payment_intent p WHERE "
                                                               "p.status = 'succeeded' AND " + failed);
        std::vector<std::string> codes(currencies.begin(), currencies.end());
        for (const auto& c : codes)
            e.recovered_amount[c] = w->db.count("SELECT CAST(SUM(p.amount) AS BIGINT) FROM payment_intent p WHERE "
                                                "p.status = 'succeeded' AND p.currency = '" + c + "' AND " + failed);
        soci::rowset<std::string> ids = (sql.prepare << "SELECT id FROM payment_intent");
        for (const auto& id : ids) e.payment_ids.insert(id);
        return e;
    }

    std::string payment_of(const std::string& invoice)
    {
        std::string id;
        w->db.sql() << "SELECT id FROM payment_intent WHERE merchant_reference_id = :r", soci::use(invoice), soci::into(id);
        return id;
    }

    reply get(const std::string& target, const headers_t& headers = {})
    {
        return send(w->host->port(), "GET", target, headers);
    }

    // Started on first use, so the plain-HTTP cases run without a browser.
    browser_test::devtools& devtools()
    {
        if (!browser_devtools) {
            browser_process = std::make_unique<browser_test::chromium>();
            browser_devtools = std::make_unique<browser_test::devtools>(browser_process->ws_url());
        }
        return *browser_devtools;
    }

    ~dashboard_world()
    {
        browser_devtools.reset();
        browser_process.reset();
        ::unsetenv("RECOUP_ADMIN_TOKEN");
    }
};

// Built by the first case that needs it (assertions work only inside a case) and shared by the
// rest; the global fixture takes it down, recoupd and Chromium with it, however the cases ended.
std::unique_ptr<dashboard_world> the_world;
bool world_failed = false;

struct world_teardown {
    void setup() {}
    void teardown() { the_world.reset(); }
};

dashboard_world& dw()
{
    BOOST_REQUIRE_MESSAGE(!world_failed, "the dashboard's world did not start (see the first case)");
    if (!the_world) {
        world_failed = true;
        the_world = std::make_unique<dashboard_world>();
        world_failed = false;
    }
    return *the_world;
}

headers_t bearer() { return {{"Authorization", "Bearer " + admin_token}}; }

fs::path screenshot_path(const std::string& name)
{
    const auto dir = fs::path(env_or("RECOUP_BUILD_ROOT", fs::temp_directory_path().string())) / "tests" / "host";
    fs::create_directories(dir);
    return dir / name;
}

void save(const std::string& png, const std::string& name)
{
    BOOST_REQUIRE(png.size() > 8);
    BOOST_TEST(png.substr(1, 3) == "PNG");
    const auto path = screenshot_path(name);
    std::ofstream(path, std::ios::binary) << png;
    BOOST_TEST_MESSAGE("screenshot: " << path.string() << " (" << png.size() << " bytes)");
}

std::string session_cookie_of(const reply& r)
{
    const auto set = r.header("Set-Cookie");
    const auto eq = set.find('=');
    return set.substr(0, set.find(';', eq));
}

} // namespace

BOOST_TEST_GLOBAL_FIXTURE(world_teardown);

// ---- plain HTTP ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(without_a_token_only_the_login_form)
{
    auto& d = dw();
    const auto e = d.expected();
    for (const auto& headers : {headers_t{}, headers_t{{"Authorization", "Bearer wrong"}},
                                headers_t{{"Cookie", "recoup_session=9999999999.00"}}}) {
        const auto r = d.get("/dashboard", headers);
        BOOST_TEST(r.status == 401);
        BOOST_TEST(r.header("Content-Type") == "text/html; charset=utf-8");
        BOOST_TEST(r.body.find("id=\"login\"") != std::string::npos);
        BOOST_TEST(r.body.find("data-figure") == std::string::npos);
        for (const auto& id : e.payment_ids) BOOST_TEST(r.body.find(id) == std::string::npos);
        for (const auto& s : invoices) BOOST_TEST(r.body.find(s.invoice) == std::string::npos);
    }
    const auto timeline = d.get("/dashboard/invoices/" + *e.payment_ids.begin());
    BOOST_TEST(timeline.status == 401);
    BOOST_TEST(timeline.body.find(*e.payment_ids.begin()) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(pages_carry_the_csp_and_are_not_cached)
{
    auto& d = dw();
    for (const std::string& target : std::vector<std::string>{"/dashboard", "/dashboard/invoices/" + d.payment_of("inv_dash_1")}) {
        const auto r = d.get(target, bearer());
        BOOST_TEST(r.status == 200, target);
        BOOST_TEST(r.header("Content-Security-Policy") ==
                   "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
                   "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
        BOOST_TEST(r.header("Cache-Control") == "no-store");
        BOOST_TEST(r.header("X-Content-Type-Options") == "nosniff");
        BOOST_TEST(r.body.find("<meta name=\"viewport\"") != std::string::npos);
        BOOST_TEST(r.body.find("<script") == std::string::npos);
        BOOST_TEST(r.body.find("http://") == r.body.find("http://www.w3.org/2000/svg")); // no third-party URL
        BOOST_TEST(r.body.find("https://") == std::string::npos);
    }
    const auto css = d.get("/dashboard/style.css");
    BOOST_TEST(css.status == 200);
    BOOST_TEST(css.header("Content-Type") == "text/css; charset=utf-8");
    BOOST_TEST(css.body.find("@media (max-width: 40rem)") != std::string::npos);
    BOOST_TEST(send(d.w->host->port(), "DELETE", "/dashboard", bearer()).status == 405);
}

BOOST_AUTO_TEST_CASE(hostile_invoice_ids_are_escaped)
{
    auto& d = dw();
    const auto r = d.get("/dashboard", bearer());
    BOOST_REQUIRE(r.status == 200);
    BOOST_TEST(r.body.find("<img") == std::string::npos);
    BOOST_TEST(r.body.find("<b>") == std::string::npos);
    BOOST_TEST(r.body.find("inv_&lt;img src=x onerror=alert(1)&gt;&amp;&#39;&lt;b&gt;") != std::string::npos);
    const auto page = d.get("/dashboard/invoices/" + d.payment_of(hostile_invoice), bearer());
    BOOST_TEST(page.status == 200);
    BOOST_TEST(page.body.find("<img") == std::string::npos);
    BOOST_TEST(page.body.find("inv_&lt;img src=x onerror=alert(1)&gt;&amp;&#39;&lt;b&gt;") != std::string::npos);
    BOOST_TEST(page.body.find("<b>") == std::string::npos);
    BOOST_TEST(page.body.find("Declined &lt;img src=x onerror=alert(2)&gt; &amp; &#39;q&#39; &quot;dq&quot; &lt;b&gt;bold&lt;/b&gt;") !=
               std::string::npos);
    // A filter value comes back escaped in the form too.
    const auto filtered = d.get("/dashboard?connector=%22%3E%3Cscript%3E", bearer());
    BOOST_TEST(filtered.status == 200);
    BOOST_TEST(filtered.body.find("<script>") == std::string::npos);
    BOOST_TEST(filtered.body.find("value=\"&quot;&gt;&lt;script&gt;\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bad_filter_or_an_unknown_invoice_says_so)
{
    auto& d = dw();
    const auto bad = d.get("/dashboard?status=nope", bearer());
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(bad.body.find("id=\"filter-error\"") != std::string::npos);
    BOOST_TEST(bad.body.find("data-figure") == std::string::npos);
    const auto unknown = d.get("/dashboard/invoices/pay_nobody", bearer());
    BOOST_TEST(unknown.status == 404);
    BOOST_TEST(unknown.body.find("id=\"not-found\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(login_sets_a_strict_httponly_session_that_only_this_token_makes)
{
    auto& d = dw();
    const auto port = d.w->host->port();
    const headers_t form{{"Content-Type", "application/x-www-form-urlencoded"}};
    const auto wrong = send(port, "POST", "/dashboard/login", form, "token=not_it");
    BOOST_TEST(wrong.status == 401);
    BOOST_TEST(wrong.header("Set-Cookie").empty());
    BOOST_TEST(wrong.body.find("id=\"login-error\"") != std::string::npos);
    BOOST_TEST(send(port, "POST", "/dashboard/login", form, "token=").status == 401);

    const auto ok = send(port, "POST", "/dashboard/login", form, "token=" + admin_token);
    BOOST_TEST(ok.status == 303);
    BOOST_TEST(ok.header("Location") == "/dashboard");
    const auto set = ok.header("Set-Cookie");
    BOOST_TEST(set.starts_with("recoup_session="));
    BOOST_TEST(set.find("; HttpOnly") != std::string::npos);
    BOOST_TEST(set.find("; SameSite=Strict") != std::string::npos);
    BOOST_TEST(set.find("; Path=/dashboard") != std::string::npos);
    BOOST_TEST(set.find("; Max-Age=28800") != std::string::npos);
    BOOST_TEST(set.find("Secure") == std::string::npos); // plain HTTP
    BOOST_TEST(set.find(admin_token) == std::string::npos);
    const auto cookie = session_cookie_of(ok);
    const auto page = d.get("/dashboard", {{"Cookie", "theme=dark; " + cookie}});
    BOOST_TEST(page.status == 200);
    BOOST_TEST(page.body.find("data-figure=\"invoices\"") != std::string::npos);

    // Behind a TLS proxy the cookie is Secure too.
    headers_t tls = form;
    tls.emplace_back("X-Forwarded-Proto", "https");
    BOOST_TEST(send(port, "POST", "/dashboard/login", tls, "token=" + admin_token).header("Set-Cookie").find("; Secure") !=
               std::string::npos);

    // A changed MAC, another token's session, an expired one: the login form again.
    auto tampered = cookie;
    tampered.back() = tampered.back() == '0' ? '1' : '0';
    const auto now = static_cast<std::int64_t>(::time(nullptr));
    namespace session = recoupd::http::dashboard_session;
    for (const auto& c : std::vector<std::string>{tampered, "recoup_session=" + session::issue("another_token", now),
                                                  "recoup_session=" + session::issue(admin_token, now - session::lifetime.count() - 60)}) {
        const auto r = d.get("/dashboard", {{"Cookie", c}});
        BOOST_TEST(r.status == 401, c);
        BOOST_TEST(r.body.find("data-figure") == std::string::npos);
    }

    const auto out = send(port, "POST", "/dashboard/logout", {{"Cookie", cookie}});
    BOOST_TEST(out.status == 303);
    BOOST_TEST(out.header("Set-Cookie").starts_with("recoup_session=;"));
    BOOST_TEST(out.header("Set-Cookie").find("Max-Age=0") != std::string::npos);
}

// ---- in Chromium -----------------------------------------------------------------------------------

namespace {

// [figure, currency, value] of every data-figure element.
const std::string figures_js =
    "JSON.stringify(Array.from(document.querySelectorAll('[data-figure]')).map(e => [e.dataset.figure, "
    "e.dataset.currency || '', e.dataset.value]))";

std::set<std::string> listed_payment_ids(browser_test::page& p)
{
    const auto v = json::parse(p.text("JSON.stringify(Array.from(document.querySelectorAll('#invoices tbody tr')).map(r => r.dataset.paymentId))"));
    std::set<std::string> out;
    for (const auto& id : v.as_array()) out.insert(std::string(id.as_string()));
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(with_the_token_the_browser_shows_what_sql_has)
{
    auto& d = dw();
    const auto e = d.expected();
    BOOST_REQUIRE(e.recovered == 3); // the world: three recoveries, one retrying, one hard decline
    browser_test::page p(d.devtools(), browser_test::laptop);
    p.extra_headers({{"Authorization", "Bearer " + admin_token}});
    p.go(d.base + "/dashboard");

    std::map<std::string, std::string> shown;
    std::map<std::string, long long> shown_amount;
    const auto figures = json::parse(p.text(figures_js));
    for (const auto& f : figures.as_array()) {
        const auto& a = f.as_array();
        const std::string name(a[0].as_string()), currency(a[1].as_string()), value(a[2].as_string());
        if (name == "recovered_amount") shown_amount[currency] = std::stoll(value);
        else shown[name] = value;
        BOOST_TEST_MESSAGE("figure " << name << (currency.empty() ? "" : " " + currency) << " = " << value);
    }
    BOOST_TEST(std::stoll(shown["invoices"]) == e.invoices);
    BOOST_TEST(std::stoll(shown["invoices_in_recovery"]) == e.in_recovery);
    BOOST_TEST(std::stoll(shown["recovered_invoices"]) == e.recovered);
    BOOST_TEST(shown_amount == e.recovered_amount);
    BOOST_TEST(std::stod(shown["recovery_rate"]) == static_cast<double>(e.recovered) / static_cast<double>(e.in_recovery),
               boost::test_tools::tolerance(1e-9));
    BOOST_TEST(std::stod(shown["attempts_per_recovery"]) ==
                   static_cast<double>(e.recovered_attempts) / static_cast<double>(e.recovered),
               boost::test_tools::tolerance(1e-9));
    // What a person sees: the figure's text, formatted.
    BOOST_TEST(p.text("document.querySelector('[data-figure=recovered_amount][data-currency=EUR] .value').textContent") ==
               "EUR " + recoup::minor_units_to_decimal(e.recovered_amount.at("EUR"), *recoup::find_currency("EUR")));

    // The chart: one per currency, its bars adding up to the recovered amount.
    for (const auto& [currency, amount] : e.recovered_amount) {
        const auto sum = p.eval("Array.from(document.querySelectorAll('svg.chart[data-chart=" + currency +
                                "] rect.bar')).reduce((s, r) => s + Number(r.dataset.amount), 0)");
        BOOST_TEST(sum.to_number<long long>() == amount, currency);
    }

    // The list: every invoice, by id; the hostile one as text, not markup.
    BOOST_TEST(listed_payment_ids(p) == e.payment_ids);
    BOOST_TEST(p.eval("document.querySelectorAll('main img, main b').length").to_number<int>() == 0);
    const auto hostile = d.payment_of(hostile_invoice);
    BOOST_TEST(p.text("document.querySelector('tr[data-payment-id=\"" + hostile + "\"] a.invoice-id').textContent") ==
               hostile_invoice);
    BOOST_TEST(p.eval("document.querySelector('link[rel=stylesheet]').sheet.cssRules.length > 10").as_bool());
    save(p.screenshot(), "dashboard.png");

    // A phone: the same page, no sideways scroll, rows as cards.
    p.resize(browser_test::phone);
    p.go(d.base + "/dashboard");
    BOOST_TEST(p.eval("document.documentElement.scrollWidth <= window.innerWidth").as_bool(),
               "page width " << p.eval("document.documentElement.scrollWidth") << " > " << p.eval("window.innerWidth"));
    BOOST_TEST(p.text("getComputedStyle(document.querySelector('#invoices thead')).display") == "none");
    save(p.screenshot(), "dashboard-phone.png");

    // Filters: the form's status select narrows the list.
    p.resize(browser_test::laptop);
    p.go(d.base + "/dashboard?status=succeeded");
    BOOST_TEST(listed_payment_ids(p).size() == static_cast<std::size_t>(e.recovered));
}

BOOST_AUTO_TEST_CASE(an_invoice_timeline_in_the_browser)
{
    auto& d = dw();
    const auto id = d.payment_of("inv_dash_1");
    browser_test::page p(d.devtools(), browser_test::laptop);
    p.extra_headers({{"Authorization", "Bearer " + admin_token}});
    p.go(d.base + "/dashboard");
    p.eval("document.querySelector('tr[data-payment-id=\"" + id + "\"] a.invoice-id').click()");
    p.wait_until("location.pathname === '/dashboard/invoices/" + id + "' && document.readyState === 'complete'");
    BOOST_TEST(p.text("document.getElementById('invoice-id').textContent") == "inv_dash_1");
    auto count = [&](const std::string& section) {
        return p.eval("Number(document.querySelector('[data-section=" + section + "]').dataset.count)").to_number<long long>();
    };
    BOOST_TEST(count("webhooks") == d.w->db.count("SELECT COUNT(*) FROM webhook_event WHERE payment_id = '" + id + "'"));
    BOOST_TEST(count("attempts") == d.w->db.count("SELECT COUNT(*) FROM payment_attempt WHERE payment_id = '" + id + "'"));
    BOOST_TEST(count("attempts") == 2); // the platform's failure, our charge
    BOOST_TEST(count("tasks") == d.w->db.count("SELECT COUNT(*) FROM process_tracker WHERE payment_id = '" + id + "'"));
    BOOST_TEST(count("record_backs") == 1);
    BOOST_TEST(p.text("document.querySelector('[data-field=status] .status').textContent") == "succeeded");
    save(p.screenshot(), "dashboard-invoice.png");
}

BOOST_AUTO_TEST_CASE(pages_of_two_cover_every_invoice_once)
{
    auto& d = dw();
    const auto e = d.expected();
    browser_test::page p(d.devtools(), browser_test::laptop);
    p.extra_headers({{"Authorization", "Bearer " + admin_token}});
    p.go(d.base + "/dashboard?limit=2");
    std::multiset<std::string> seen;
    for (int page = 0; page < 10; ++page) {
        const auto ids = listed_payment_ids(p);
        BOOST_TEST(ids.size() <= 2u);
        seen.insert(ids.begin(), ids.end());
        if (!p.eval("document.getElementById('next-page') !== null").as_bool()) break;
        const auto before = p.text("location.href");
        p.eval("document.getElementById('next-page').click()");
        p.wait_until("location.href !== " + json::serialize(json::value(before)) + " && document.readyState === 'complete'");
        BOOST_TEST(p.eval("document.getElementById('first-page') !== null").as_bool());
    }
    BOOST_TEST(std::set<std::string>(seen.begin(), seen.end()) == e.payment_ids);
    BOOST_TEST(seen.size() == e.payment_ids.size());
}

BOOST_AUTO_TEST_CASE(the_login_form_in_the_browser)
{
    auto& d = dw();
    const auto e = d.expected();
    browser_test::page p(d.devtools(), browser_test::laptop); // a fresh context: no header, no cookie
    p.go(d.base + "/dashboard");
    BOOST_TEST(p.eval("document.getElementById('login') !== null").as_bool());
    BOOST_TEST(p.eval("document.querySelectorAll('[data-figure]').length").to_number<int>() == 0);
    const auto text = p.text("document.documentElement.outerHTML");
    for (const auto& id : e.payment_ids) BOOST_TEST(text.find(id) == std::string::npos);
    save(p.screenshot(), "dashboard-login.png");

    p.eval("document.getElementById('token').value = " + json::serialize(json::value(admin_token)) +
           "; document.getElementById('sign-in').click()");
    p.wait_until("document.querySelector('[data-figure=invoices]') !== null");
    BOOST_TEST(p.text("location.pathname") == "/dashboard");
    const auto cookies = p.cookies(d.base + "/dashboard");
    BOOST_REQUIRE(cookies.size() == 1u);
    const auto& c = cookies[0].as_object();
    BOOST_TEST(c.at("name").as_string() == "recoup_session");
    BOOST_TEST(c.at("httpOnly").as_bool());
    BOOST_TEST(c.at("sameSite").as_string() == "Strict");
    BOOST_TEST(c.at("path").as_string() == "/dashboard");
    BOOST_TEST(!c.at("secure").as_bool());
    BOOST_TEST(p.text("document.cookie").find("recoup_session") == std::string::npos); // HttpOnly: no script sees it
    BOOST_TEST(listed_payment_ids(p) == e.payment_ids);

    p.eval("document.getElementById('logout').click()");
    p.wait_until("document.getElementById('login') !== null");
    BOOST_TEST(p.cookies(d.base + "/dashboard").empty());
}

HTTP_TEST_MAIN()

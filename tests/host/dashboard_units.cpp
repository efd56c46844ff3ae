// The dashboard's pure pieces: HTML escaping and cookie reading (host/http/html.hpp), the
// stateless session (dashboard_session.hpp), the SVG chart and the value formats
// (dashboard_chart.hpp), and the routes of its pages (route.hpp).
#define BOOST_TEST_MODULE dashboard_units
#include "http/dashboard_chart.hpp"
#include "http/dashboard_session.hpp"
#include "http/html.hpp"
#include "http/route.hpp"

#include <boost/test/unit_test.hpp>

using namespace recoupd::http;
namespace session = recoupd::http::dashboard_session;
namespace chart = recoupd::http::dashboard_chart;

BOOST_AUTO_TEST_CASE(escape_makes_markup_text)
{
    BOOST_TEST(html::escape("inv_<img src=x onerror=\"a\">&'") == "inv_&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;");
    BOOST_TEST(html::escape("plain ünïcode 123") == "plain ünïcode 123");
    BOOST_TEST(html::escape("") == "");
}

BOOST_AUTO_TEST_CASE(cookie_finds_one_name_among_many)
{
    BOOST_TEST(html::cookie("a=1; recoup_session=42.ab ; b=2", "recoup_session").value() == "42.ab");
    BOOST_TEST(html::cookie("xrecoup_session=1", "recoup_session").has_value() == false);
    BOOST_TEST(html::cookie("", "recoup_session").has_value() == false);
    BOOST_TEST(html::cookie("recoup_session", "recoup_session").has_value() == false);
    BOOST_TEST(html::cookie("recoup_session=", "recoup_session").value() == "");
}

BOOST_AUTO_TEST_CASE(a_session_is_valid_for_its_token_until_it_expires)
{
    const std::int64_t now = 1'800'000'000;
    const auto value = session::issue("token_a", now);
    BOOST_TEST(value.starts_with(std::to_string(now + session::lifetime.count()) + "."));
    BOOST_TEST(value.find("token_a") == std::string::npos);
    BOOST_TEST(session::valid("token_a", value, now));
    BOOST_TEST(session::valid("token_a", value, now + session::lifetime.count() - 1));
    BOOST_TEST(!session::valid("token_a", value, now + session::lifetime.count())); // expired
    BOOST_TEST(!session::valid("token_b", value, now));                             // the token changed
    BOOST_TEST(!session::valid("", value, now));
    // A later expiry with the old MAC, a changed MAC, and malformed values.
    auto later = value;
    later[0] = static_cast<char>(later[0] + 1);
    BOOST_TEST(!session::valid("token_a", later, now));
    auto changed = value;
    changed.back() = changed.back() == 'a' ? 'b' : 'a';
    BOOST_TEST(!session::valid("token_a", changed, now));
    const auto mac = value.substr(value.find('.') + 1);
    for (const std::string& bad : std::vector<std::string>{"", ".", "abc.def", "-1.00", "1800028800", "+1800028800." + mac,
                                                           "99999999999999999999." + mac})
        BOOST_TEST(!session::valid("token_a", bad, now), bad);
    // Dated further ahead than a session lasts: not one of ours, whatever its MAC.
    BOOST_TEST(!session::valid("token_a", session::issue("token_a", now + 3600), now));
}

BOOST_AUTO_TEST_CASE(the_cookie_attributes)
{
    BOOST_TEST(session::set_cookie("v", false) == "recoup_session=v; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=28800");
    BOOST_TEST(session::set_cookie("v", true) ==
               "recoup_session=v; Path=/dashboard; HttpOnly; SameSite=Strict; Secure; Max-Age=28800");
    BOOST_TEST(session::clear_cookie(false) == "recoup_session=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0");
}

BOOST_AUTO_TEST_CASE(the_chart_has_a_bar_per_day_up_to_the_last)
{
    const auto svg = chart::recovered_per_day_svg("EUR", {{"2026-12-01", 3900}, {"2026-12-03", 2500}, {"2026-12-03", 100}});
    BOOST_TEST(svg.starts_with("<svg class=\"chart\" data-chart=\"EUR\""));
    BOOST_TEST(svg.find("data-day=\"2026-12-01\" data-amount=\"3900\"") != std::string::npos);
    BOOST_TEST(svg.find("data-day=\"2026-12-02\" data-amount=\"0\"") != std::string::npos);
    BOOST_TEST(svg.find("data-day=\"2026-12-03\" data-amount=\"2600\"") != std::string::npos);
    BOOST_TEST(svg.find("<title>2026-12-01: EUR 39.00</title>") != std::string::npos);
    BOOST_TEST(svg.find("max EUR 39.00") != std::string::npos);
    std::size_t bars = 0;
    for (auto at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1)) ++bars;
    BOOST_TEST(bars == chart::min_days); // the two weeks up to the last day
    BOOST_TEST(svg.find("data-day=\"2026-11-20\" data-amount=\"0\"") != std::string::npos);
    BOOST_TEST(svg.find("data-day=\"2026-11-19\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_chart_keeps_the_latest_days_and_escapes_its_labels)
{
    std::vector<chart::day_amount> days{{"2025-01-01", 5}, {"2026-12-03", 7}, {"not a day", 9}, {"2026-02-30", 9}};
    const auto svg = chart::recovered_per_day_svg("EUR", days);
    std::size_t bars = 0;
    for (auto at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1)) ++bars;
    BOOST_TEST(bars == chart::max_days);
    BOOST_TEST(svg.find("2025-01-01") == std::string::npos);
    BOOST_TEST(chart::recovered_per_day_svg("<x>", {}).find("&lt;x&gt;") != std::string::npos);
    BOOST_TEST(chart::recovered_per_day_svg("<x>", {{"2026-12-03", 1}}).find("<x>") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(values_as_people_read_them)
{
    BOOST_TEST(chart::money_text(3900, "EUR") == "EUR 39.00");
    BOOST_TEST(chart::money_text(500, "JPY") == "JPY 500");
    BOOST_TEST(chart::money_text(5, "XXQ") == "XXQ 5");
    BOOST_TEST(chart::time_text(1'764'757'200) == "2025-12-03 10:20 UTC");
    BOOST_TEST(chart::time_text(0) == "");
    BOOST_TEST(chart::day_start("1970-01-02").value() == 86400);
    BOOST_TEST(!chart::day_start("2026-13-01").has_value());
    BOOST_TEST(!chart::day_start("1764757200").has_value());
}

BOOST_AUTO_TEST_CASE(the_dashboard_routes)
{
    BOOST_TEST(match_route("/dashboard").kind == route::dashboard);
    BOOST_TEST((match_route("/dashboard").dashboard_page == route::page::home));
    BOOST_TEST((match_route("/dashboard/login").dashboard_page == route::page::login));
    BOOST_TEST((match_route("/dashboard/logout").dashboard_page == route::page::logout));
    BOOST_TEST((match_route("/dashboard/style.css").dashboard_page == route::page::style));
    const auto invoice = match_route("/dashboard/invoices/pay_123");
    BOOST_TEST(invoice.kind == route::dashboard);
    BOOST_TEST((invoice.dashboard_page == route::page::invoice));
    BOOST_TEST(invoice.payment_id == "pay_123");
    BOOST_TEST(match_route("/dashboard/invoices/bad%20id").kind == route::none);
    BOOST_TEST(match_route("/dashboard/invoices/bad%20id").invalid_id == "payment_id");
    BOOST_TEST(match_route("/dashboard/").kind == route::none);
    BOOST_TEST(match_route("/dashboard/other").kind == route::none);
    BOOST_TEST(match_route("/dashboard/invoices").kind == route::none);
    BOOST_TEST(match_route("/dashboard").name() == "dashboard");
}

// recoupd simulate's pure parts: the population format, the generator's determinism and the
// violation recount at each rule's boundary (host/simulation/).
#define BOOST_TEST_MODULE simulation
#include <boost/test/unit_test.hpp>

#include "simulation/generator.hpp"
#include "simulation/population.hpp"
#include "simulation/run.hpp"
#include "simulation/violations.hpp"

#include <recoup/network_rules.hpp>

#include <set>
#include <sstream>

using namespace recoupd::simulation;

namespace {

constexpr std::int64_t day = 86400;
const std::string example =
    R"({"id":"inv_1","amount":4999,"currency":"USD","failed_at":1767225600,"methods":[{"id":"pm_1",)"
    R"("network":"visa","timeline":[{"until":1767571200,"decline":"insufficient_funds","code":"51"},)"
    R"({"until":1768435200,"approve":true},{"decline":"expired_card","code":"54"}]}]})";

std::string error_of(std::string_view line)
{
    try {
        parse_invoice(line);
    } catch (const population_error& e) {
        return e.what();
    }
    return "";
}

attempt_entry attempt(std::int64_t at, std::string network, bool approved, std::string code = "51",
                      std::string decline = "insufficient_funds", std::string method = "pm_1")
{
    attempt_entry e;
    e.at = at;
    e.invoice_id = "inv_1";
    e.method_id = std::move(method);
    e.network = std::move(network);
    e.approved = approved;
    if (!approved) e.decline = std::move(decline), e.network_code = std::move(code);
    return e;
}

std::vector<std::string> rules_broken(const std::vector<attempt_entry>& log)
{
    std::vector<std::string> out;
    for (const auto& v : find_violations(log, recoup::default_network_rules())) out.push_back(v.rule);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(population_format)

BOOST_AUTO_TEST_CASE(the_issue_example_round_trips)
{
    const auto inv = parse_invoice(example);
    BOOST_TEST(inv.id == "inv_1");
    BOOST_TEST(inv.amount == 4999);
    BOOST_TEST(inv.currency == "USD");
    BOOST_REQUIRE(inv.methods.size() == 1u);
    BOOST_REQUIRE(inv.methods[0].timeline.size() == 3u);
    BOOST_TEST(to_json_line(inv) == example);
}

BOOST_AUTO_TEST_CASE(a_time_gets_the_segment_containing_it)
{
    const auto m = parse_invoice(example).methods[0];
    BOOST_TEST(m.at(1767225600).decline == "insufficient_funds");
    BOOST_TEST(m.at(1767571199).decline == "insufficient_funds");
    BOOST_TEST(m.at(1767571200).approve); // `until` is exclusive
    BOOST_TEST(m.at(1768435199).approve);
    BOOST_TEST(m.at(1768435200).decline == "expired_card");
    BOOST_TEST(m.at(1999999999).code == "54");
}

BOOST_AUTO_TEST_CASE(bad_lines_say_what_is_wrong)
{
    BOOST_TEST(error_of("{").find("not JSON") != std::string::npos);
    BOOST_TEST(error_of("[]") == "an invoice must be a JSON object");
    BOOST_TEST(error_of(R"({"id":"a"})") == "invoice \"a\": \"amount\" is missing");
    BOOST_TEST(error_of(R"({"id":"a","amount":-1,"currency":"USD","failed_at":1,"methods":[]})") ==
               "invoice \"a\": \"amount\" must be positive");
    BOOST_TEST(error_of(R"({"id":"a","amount":1,"currency":"XXY","failed_at":1,"methods":[]})") ==
               "invoice \"a\": unknown currency \"XXY\"");
    BOOST_TEST(error_of(R"({"id":"a","amount":1,"currency":"USD","failed_at":1,"methods":[]})") ==
               "invoice \"a\": \"methods\" must be a non-empty array");
    const std::string head = R"({"id":"a","amount":1,"currency":"USD","failed_at":1,"methods":[{"id":"m","network":"visa","timeline":)";
    BOOST_TEST(error_of(head + R"([{"approve":true,"decline":"x"}]}]})") ==
               "invoice \"a\" method 1 segment 1: a segment either approves (\"approve\": true) or declines (\"decline\": CODE)");
    BOOST_TEST(error_of(head + R"([{"until":5,"approve":true}]}]})") ==
               "invoice \"a\" method 1 segment 1: the last segment has no \"until\"");
    BOOST_TEST(error_of(head + R"([{"approve":true},{"approve":true}]}]})") ==
               "invoice \"a\" method 1 segment 1: only the last segment may omit \"until\"");
    BOOST_TEST(error_of(head + R"([{"until":5,"approve":true},{"until":5,"decline":"x"},{"approve":true}]}]})") ==
               "invoice \"a\" method 1 segment 2: \"until\" must increase");
}

BOOST_AUTO_TEST_CASE(a_bad_line_is_named_by_its_number)
{
    std::istringstream in(example + "\n\n" + R"({"id":"b"})" + "\n");
    try {
        read_population(in);
        BOOST_FAIL("no error");
    } catch (const population_error& e) {
        BOOST_TEST(std::string(e.what()) == "line 3: invoice \"b\": \"amount\" is missing");
    }
    std::istringstream twice(example + "\n" + example + "\n");
    BOOST_CHECK_THROW(read_population(twice), population_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(generator)

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_population)
{
    const auto a = generate(500, 42), b = generate(500, 42), c = generate(500, 43);
    BOOST_REQUIRE(a.size() == 500u);
    std::string ta, tb, tc;
    for (const auto& inv : a) ta += to_json_line(inv) + "\n";
    for (const auto& inv : b) tb += to_json_line(inv) + "\n";
    for (const auto& inv : c) tc += to_json_line(inv) + "\n";
    BOOST_TEST(ta == tb);
    BOOST_TEST(ta != tc);
    // What it prints reads back as the same population.
    std::istringstream in(ta);
    const auto again = read_population(in);
    BOOST_REQUIRE(again.size() == a.size());
    for (std::size_t i = 0; i < a.size(); ++i) BOOST_TEST(to_json_line(again[i]) == to_json_line(a[i]));
}

BOOST_AUTO_TEST_CASE(every_invoice_fails_at_its_start_and_mixes_as_the_model_says)
{
    const auto population = generate(2000, 7);
    std::set<std::string> ids;
    std::size_t with_alternate = 0, insufficient = 0;
    std::int64_t last = 0;
    for (const auto& inv : population) {
        BOOST_TEST(ids.insert(inv.id).second);
        BOOST_TEST(inv.failed_at >= last); // sorted by failure time
        last = inv.failed_at;
        BOOST_TEST(!inv.methods[0].at(inv.failed_at).approve, inv.id); // the platform's charge failed
        if (inv.methods.size() > 1) ++with_alternate;
        if (inv.methods[0].at(inv.failed_at).decline == "insufficient_funds") ++insufficient;
    }
    // 25 % and 38 % in the model: within a few points over 2000 draws.
    BOOST_TEST(with_alternate > 400u);
    BOOST_TEST(with_alternate < 600u);
    BOOST_TEST(insufficient > 660u);
    BOOST_TEST(insufficient < 860u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(violations)

BOOST_AUTO_TEST_CASE(visa_allows_twenty_reattempts_in_thirty_days)
{
    std::vector<attempt_entry> log;
    for (int i = 0; i < 21; ++i) log.push_back(attempt(i * day, "visa", false)); // the first and 20 reattempts
    BOOST_TEST(rules_broken(log).empty());
    log.push_back(attempt(21 * day, "visa", false));
    BOOST_TEST(rules_broken(log) == std::vector<std::string>{"visa_merchant_reattempts_30d"});
    // The window is (t - 30 days, t]: the first reattempt (day 1) is out of it at day 31.
    log.back().at = 31 * day;
    BOOST_TEST(rules_broken(log).empty());
    log.back().at = 31 * day - 1;
    BOOST_TEST(rules_broken(log).size() == 1u);
}

BOOST_AUTO_TEST_CASE(an_attempt_after_an_approval_is_no_reattempt)
{
    std::vector<attempt_entry> log;
    for (int i = 0; i < 11; ++i) log.push_back(attempt(i * 3600, "visa", false)); // reattempts 1-10
    log.push_back(attempt(11 * 3600, "visa", true));                              // reattempt 11, approved
    for (int i = 12; i < 22; ++i) log.push_back(attempt(i * 3600, "visa", false)); // 12 is none; 13-21: 12-20
    BOOST_TEST(rules_broken(log).empty());
    log.push_back(attempt(22 * 3600, "visa", false)); // reattempt 21 in the window
    BOOST_TEST(rules_broken(log) == std::vector<std::string>{"visa_merchant_reattempts_30d"});
}

BOOST_AUTO_TEST_CASE(mastercard_allows_ten_declines_a_day_and_thirty_five_in_thirty_days)
{
    std::vector<attempt_entry> log;
    for (int i = 0; i < 10; ++i) log.push_back(attempt(i * 60, "mastercard", false));
    BOOST_TEST(rules_broken(log).empty());
    log.push_back(attempt(day, "mastercard", false)); // the first decline left the window at exactly 24 h
    BOOST_TEST(rules_broken(log).empty());
    log.back().at = day - 1;
    BOOST_TEST(rules_broken(log) == std::vector<std::string>{"mastercard_declines_24h"});
    log.back().at = day - 1;
    log.back().approved = true; // an approval is no decline
    BOOST_TEST(rules_broken(log).empty());

    std::vector<attempt_entry> month;
    for (int i = 0; i < 35; ++i) month.push_back(attempt(i * (day / 2), "mastercard", false));
    BOOST_TEST(rules_broken(month).empty());
    month.push_back(attempt(35 * (day / 2), "mastercard", false));
    BOOST_TEST(rules_broken(month) == std::vector<std::string>{"mastercard_declines_30d"});
}

BOOST_AUTO_TEST_CASE(never_retry_a_credential_after_a_never_retry_decline)
{
    // Visa category 1.
    std::vector<attempt_entry> log{attempt(0, "visa", false, "43", "stolen_card")};
    BOOST_TEST(rules_broken(log).empty());
    log.push_back(attempt(day, "visa", false));
    BOOST_TEST(rules_broken(log) == std::vector<std::string>{"visa_category_1"});
    // Another method of the same invoice is another credential.
    log.back().method_id = "pm_2";
    BOOST_TEST(rules_broken(log).empty());

    // Mastercard advice 03.
    std::vector<attempt_entry> mc{attempt(0, "mastercard", false, "05", "do_not_honor")};
    mc[0].advice_code = "03";
    mc.push_back(attempt(day, "mastercard", true));
    BOOST_TEST(rules_broken(mc) == std::vector<std::string>{"mastercard_do_not_try_again"});

    // Any network: a fraud decline.
    std::vector<attempt_entry> amex{attempt(0, "amex", false, "59", "fraudulent"), attempt(day, "amex", false)};
    BOOST_TEST(rules_broken(amex) == std::vector<std::string>{"hard_decline"});

    // A soft decline allows the next one.
    std::vector<attempt_entry> soft{attempt(0, "visa", false, "51"), attempt(day, "visa", true)};
    BOOST_TEST(rules_broken(soft).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(median_of_odd_and_even_counts)
{
    BOOST_TEST(!median({}).has_value());
    BOOST_TEST(*median({3.0, 1.0, 2.0}) == 2.0);
    BOOST_TEST(*median({4.0, 1.0, 2.0, 3.0}) == 2.5);
}

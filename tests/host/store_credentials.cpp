// The SOCI store's smart-retry columns against a real database (`sqlite` or `postgresql` as first
// argument): an attempt's decline class, network codes, payment method and credential round-trip;
// credential_history() answers the network budget's question across intents; a profile keeps its
// network rules and can be updated.
#define BOOST_TEST_MODULE host_store_credentials
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>
#include "store/soci_store.hpp"

#include "store_fixture.hpp"
#include "store_records.hpp"

#include <boost/json.hpp>

namespace {

using store_test::fresh_database;
using store_test::make_intent;

recoup::attempt_record make_attempt(const std::string& id, const std::string& payment_id, std::int64_t at,
                                    const std::string& credential, const std::string& network)
{
    recoup::attempt_record a;
    a.id = id;
    a.payment_id = payment_id;
    a.status = recoup::attempt_status::failure;
    a.amount = 1095;
    a.currency = *recoup::find_currency("USD");
    a.connector_payment_id = "txn_" + id;
    a.triggered_by = recoup::triggered_by::internal;
    a.created_at = a.modified_at = at;
    a.decline_class = "insufficient_funds";
    a.network = network;
    a.network_decline_code = "51";
    a.payment_method_id = "pm_" + credential;
    a.credential_id = credential;
    return a;
}

std::vector<std::string> ids_of(const std::vector<recoup::attempt_record>& attempts)
{
    std::vector<std::string> out;
    for (const auto& a : attempts) out.push_back(a.id);
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(an_attempt_keeps_its_decline_network_method_and_credential)
{
    fresh_database db;
    auto store = db.open();
    auto tx = store->begin();
    tx.lock_or_create_intent(make_intent("pay_1", "inv_1"));
    auto a = make_attempt("att_1", "pay_1", 1001, "cred_a", "visa");
    a.network_advice_code = "03";
    tx.insert_attempt(a);
    auto plain = make_attempt("att_2", "pay_1", 1002, "x", "visa");
    plain.decline_class.reset();
    plain.network.reset();
    plain.network_decline_code.reset();
    plain.payment_method_id.reset();
    plain.credential_id.reset();
    tx.insert_attempt(plain);
    tx.commit();

    auto tx2 = store->begin();
    const auto read = tx2.attempts_of("pay_1");
    BOOST_REQUIRE(read.size() == 2u);
    BOOST_TEST(read[0].decline_class.value_or("") == "insufficient_funds");
    BOOST_TEST(read[0].network.value_or("") == "visa");
    BOOST_TEST(read[0].network_decline_code.value_or("") == "51");
    BOOST_TEST(read[0].network_advice_code.value_or("") == "03");
    BOOST_TEST(read[0].payment_method_id.value_or("") == "pm_cred_a");
    BOOST_TEST(read[0].credential_id.value_or("") == "cred_a");
    BOOST_TEST(!read[1].decline_class);
    BOOST_TEST(!read[1].network);
    BOOST_TEST(!read[1].network_advice_code);
    BOOST_TEST(!read[1].payment_method_id);
    BOOST_TEST(!read[1].credential_id);

    // An update writes them too.
    auto changed = read[1];
    changed.decline_class = "hard";
    changed.network = "mastercard";
    changed.network_advice_code = "21";
    changed.credential_id = "cred_b";
    tx2.update_attempt(changed);
    tx2.commit();
    auto tx3 = store->begin();
    const auto again = tx3.attempts_of("pay_1");
    BOOST_TEST(again[1].decline_class.value_or("") == "hard");
    BOOST_TEST(again[1].network.value_or("") == "mastercard");
    BOOST_TEST(again[1].network_advice_code.value_or("") == "21");
    BOOST_TEST(again[1].credential_id.value_or("") == "cred_b");
}

BOOST_AUTO_TEST_CASE(credential_history_spans_intents_and_keeps_to_credential_network_and_window)
{
    fresh_database db;
    auto store = db.open();
    {
        auto tx = store->begin();
        tx.lock_or_create_intent(make_intent("pay_1", "inv_1"));
        tx.lock_or_create_intent(make_intent("pay_2", "inv_2"));
        tx.insert_attempt(make_attempt("att_old", "pay_1", 999, "cred_a", "visa"));      // before the window
        tx.insert_attempt(make_attempt("att_edge", "pay_1", 1000, "cred_a", "visa"));    // at its start
        tx.insert_attempt(make_attempt("att_2", "pay_2", 1500, "cred_a", "visa"));       // another intent
        tx.insert_attempt(make_attempt("att_other", "pay_2", 1600, "cred_b", "visa"));   // another credential
        tx.insert_attempt(make_attempt("att_mc", "pay_2", 1700, "cred_a", "mastercard")); // another network
        auto external = make_attempt("att_ext", "pay_1", 1200, "cred_a", "visa");
        external.triggered_by = recoup::triggered_by::external;
        tx.insert_attempt(external);
        tx.commit();
    }
    auto tx = store->begin();
    const auto history = tx.credential_history("cred_a", "visa", 1000);
    BOOST_TEST(ids_of(history) == (std::vector<std::string>{"att_edge", "att_ext", "att_2"}),
               boost::test_tools::per_element());
    BOOST_TEST((history[1].triggered_by == recoup::triggered_by::external));
    BOOST_TEST(history[1].decline_class.value_or("") == "insufficient_funds");
    BOOST_TEST(tx.credential_history("cred_a", "mastercard", 0).size() == 1u);
    BOOST_TEST(tx.credential_history("cred_none", "visa", 0).empty());
}

BOOST_AUTO_TEST_CASE(a_profile_keeps_its_network_rules_and_can_be_updated)
{
    fresh_database db;
    auto store = db.open();
    recoupd::profile_record p{"prof_1", "cascading", std::nullopt, 0};
    store->add_profile(p);
    BOOST_TEST(!store->find_profile("prof_1")->network_rules);

    p.retry_algorithm = "monitoring";
    p.network_rules = R"({"visa": {"limits": []}})";
    store->update_profile(p);
    const auto read = store->find_profile("prof_1");
    BOOST_REQUIRE(read);
    BOOST_TEST(read->retry_algorithm == "monitoring");
    BOOST_TEST(read->network_rules.value_or("") == R"({"visa":{"limits":[]}})"); // compact, on JSONB too

    BOOST_CHECK_THROW(store->update_profile({"prof_9", "cascading", std::nullopt, 0}), std::invalid_argument);
    p.network_rules = "{not json";
    BOOST_CHECK_THROW(store->update_profile(p), std::invalid_argument);
    p.network_rules.reset();
    p.retry_algorithm = "sometimes";
    BOOST_CHECK_THROW(store->update_profile(p), std::invalid_argument);
    BOOST_TEST(store->find_profile("prof_1")->network_rules.value_or("") == R"({"visa":{"limits":[]}})");
}

int main(int argc, char** argv) { return store_test::run_suite(argc, argv, &init_unit_test); }

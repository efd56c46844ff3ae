// The SOCI store (host_store_*, see store.cpp): profiles and MCAs, their secrets sealed at rest and
// rotated, the master key, and the config version their writes raise.
#include <boost/test/unit_test.hpp>
#include "store/soci_store.hpp"

#include "store/secrets_crypto.hpp"
#include "store_fixture.hpp"
#include "store_records.hpp"

#include <boost/json.hpp>

#include <sys/stat.h>

#include <algorithm>

namespace {

using namespace store_test;

} // namespace

BOOST_AUTO_TEST_CASE(profiles_and_mcas_with_secrets_encrypted_at_rest)
{
    fresh_database db;
    auto store = db.open();
    store->add_profile({"prof_1", "cascading", std::nullopt, 0});
    store->add_profile({"prof_2", "monitoring", R"({"start_after":60})", 0});
    BOOST_CHECK_THROW(store->add_profile({"prof_1", "cascading", std::nullopt, 0}), std::invalid_argument);
    BOOST_CHECK_THROW(store->add_profile({"bad id", "cascading", std::nullopt, 0}), std::invalid_argument);
    BOOST_CHECK_THROW(store->add_profile({"prof_3", "sometimes", std::nullopt, 0}), std::invalid_argument);
    BOOST_TEST(store->find_profile("prof_2")->retry_algorithm == "monitoring");
    BOOST_TEST(js(*store->find_profile("prof_2")->retry_schedule) == js(R"({"start_after":60})"));
    BOOST_TEST(!store->find_profile("prof_9"));

    recoupd::mca_record m;
    m.id = "mca_cb";
    m.profile_id = "prof_1";
    m.connector = "chargebee";
    m.secrets = {"user:plain-secret-one", "user:plain-secret-two"};
    m.api_key = "plain-api-key";
    m.base_url = "https://acme.chargebee.com/api";
    m.settings = R"({"retry_threshold":2,"billing_account_reference":{"gw_1":"mca_pay"}})";
    store->add_mca(m);
    BOOST_CHECK_THROW(store->add_mca(m), std::invalid_argument); // exists
    auto orphan = m;
    orphan.id = "mca_orphan";
    orphan.profile_id = "prof_missing";
    BOOST_CHECK_THROW(store->add_mca(orphan), std::invalid_argument);

    // The columns hold sealed values, never the plaintext.
    std::string secrets, api_key;
    db.raw() << "SELECT secrets, api_key FROM merchant_connector_account WHERE id = 'mca_cb'", soci::into(secrets),
        soci::into(api_key);
    BOOST_TEST(secrets.rfind("v1:", 0) == 0u);
    BOOST_TEST(api_key.rfind("v1:", 0) == 0u);
    for (const auto* plain : {"plain-secret-one", "plain-secret-two", "plain-api-key"}) {
        BOOST_TEST(secrets.find(plain) == std::string::npos);
        BOOST_TEST(api_key.find(plain) == std::string::npos);
    }

    const auto found = store->find_mca("prof_1", "mca_cb");
    BOOST_REQUIRE(found);
    BOOST_TEST(found->secrets == m.secrets);
    BOOST_TEST(found->api_key.value_or("") == "plain-api-key");
    BOOST_TEST(found->base_url.value_or("") == *m.base_url);
    BOOST_TEST(found->connector == "chargebee");
    BOOST_TEST(js(found->settings) == js(m.settings));
    BOOST_TEST(!store->find_mca("prof_2", "mca_cb")); // the MCA is not in that profile
    BOOST_TEST(!store->find_mca("prof_1", "mca_missing"));

    const auto listed = store->list_mcas();
    BOOST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(listed[0].secret_count == 2);
    BOOST_TEST(listed[0].has_api_key);
    BOOST_TEST(store->list_mcas(std::string("prof_2")).empty());

    // A sealed value copied to another row does not open there (it is bound to its row).
    auto second = m;
    second.id = "mca_two";
    second.api_key.reset();
    store->add_mca(second);
    db.raw() << "UPDATE merchant_connector_account SET secrets = :s WHERE id = 'mca_two'", soci::use(secrets);
    BOOST_CHECK_THROW(store->find_mca("prof_1", "mca_two"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(rotating_a_secret_keeps_the_old_one_for_the_window)
{
    fresh_database db;
    auto store = db.open();
    store->add_profile({"prof_1", "cascading", std::nullopt, 0});
    recoupd::mca_record m;
    m.id = "mca_r";
    m.profile_id = "prof_1";
    m.connector = "recurly";
    m.secrets = {"old"};
    store->add_mca(m);

    store->rotate_mca_secret("prof_1", "mca_r", "new", true, 1000, 100);
    BOOST_TEST((store->find_mca("prof_1", "mca_r", 1050)->secrets == std::vector<std::string>{"new", "old"}));
    BOOST_TEST((store->find_mca("prof_1", "mca_r", 1100)->secrets == std::vector<std::string>{"new"}));
    BOOST_TEST(store->list_mcas()[0].secret_count == 2);

    store->rotate_mca_secret("prof_1", "mca_r", "newer", false, 1060);
    BOOST_TEST((store->find_mca("prof_1", "mca_r", 1061)->secrets == std::vector<std::string>{"newer"}));
    BOOST_TEST(store->list_mcas()[0].secret_count == 1);
    BOOST_CHECK_THROW(store->rotate_mca_secret("prof_1", "mca_missing", "x", false, 1), std::invalid_argument);
    BOOST_CHECK_THROW(store->rotate_mca_secret("prof_2", "mca_r", "x", false, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(master_key_from_the_environment_or_a_key_file)
{
    fresh_database db;
    if (store_test::use_postgres()) {
        ::unsetenv("RECOUP_MASTER_KEY");
        auto store = db.open(1);
        try {
            store->require_master_key();
            BOOST_FAIL("PostgreSQL without RECOUP_MASTER_KEY must fail");
        } catch (const std::runtime_error& e) {
            BOOST_TEST(std::string(e.what()).find("RECOUP_MASTER_KEY is not set") != std::string::npos);
        }
        ::setenv("RECOUP_MASTER_KEY", store_test::test_master_key, 1);
        return;
    }
    // SQLite without RECOUP_MASTER_KEY: a key file beside the database, mode 0600, reused.
    const auto key_path = recoupd::key_file_path(db.url());
    BOOST_TEST(!std::filesystem::exists(key_path));
    {
        auto store = db.open(1);
        store->add_profile({"prof_1", "cascading", std::nullopt, 0});
        recoupd::mca_record m;
        m.id = "mca_k";
        m.profile_id = "prof_1";
        m.connector = "stripe_billing";
        m.secrets = {"whsec_abc"};
        store->add_mca(m);
    }
    struct stat st {};
    BOOST_REQUIRE(::stat(key_path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    BOOST_TEST(db.open(1)->find_mca("prof_1", "mca_k")->secrets.front() == "whsec_abc"); // same key again

    ::setenv("RECOUP_MASTER_KEY", store_test::test_master_key, 1); // another key: the secrets do not open
    BOOST_CHECK_THROW(db.open(1)->find_mca("prof_1", "mca_k"), std::runtime_error);
    ::unsetenv("RECOUP_MASTER_KEY");
}

BOOST_AUTO_TEST_CASE(secret_box_seals_and_detects_tampering)
{
    const auto box = recoupd::secret_box::from_text(store_test::test_master_key);
    const auto sealed = box.seal("whsec_123", "row:a");
    BOOST_TEST(sealed.rfind("v1:", 0) == 0u);
    BOOST_TEST(sealed != box.seal("whsec_123", "row:a")); // a fresh nonce every time
    BOOST_TEST(box.open(sealed, "row:a") == "whsec_123");
    BOOST_CHECK_THROW(box.open(sealed, "row:b"), std::runtime_error);
    auto tampered = sealed;
    tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
    BOOST_CHECK_THROW(box.open(tampered, "row:a"), std::runtime_error);
    BOOST_CHECK_THROW(box.open("v2:" + sealed.substr(3), "row:a"), std::runtime_error);
    BOOST_TEST(box.open(box.seal("", "x"), "x").empty());

    // base64 works as well as hex; anything else is refused without echoing it.
    const auto b64 = recoupd::secret_box::from_text("ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8=");
    BOOST_TEST(b64.open(sealed, "row:a") == "whsec_123");
    try {
        recoupd::secret_box::from_text("not-a-key-secret-value");
        BOOST_FAIL("a short key must be refused");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("not-a-key") == std::string::npos);
    }
}


// Every write of a profile or an MCA raises config_version in its own transaction (a refused one
// leaves it), and another store on the same database sees it; webhook writes do not touch it.
BOOST_AUTO_TEST_CASE(every_profile_and_mca_write_raises_the_config_version)
{
    fresh_database db;
    auto store = db.open();
    auto other = db.open(1); // as another process would
    const auto v0 = other->config_version();
    store->add_profile({"prof_1", "cascading", std::nullopt, 0});
    BOOST_TEST(other->config_version() == v0 + 1);
    BOOST_CHECK_THROW(store->add_profile({"prof_1", "cascading", std::nullopt, 0}), std::invalid_argument);
    BOOST_TEST(other->config_version() == v0 + 1);

    recoupd::mca_record m;
    m.id = "mca_v";
    m.profile_id = "prof_1";
    m.connector = "recurly";
    m.secrets = {"old"};
    store->add_mca(m);
    BOOST_TEST(other->config_version() == v0 + 2);
    BOOST_CHECK_THROW(store->add_mca(m), std::invalid_argument);
    BOOST_TEST(other->config_version() == v0 + 2);

    store->rotate_mca_secret("prof_1", "mca_v", "new", true, 1000, 100);
    BOOST_TEST(other->config_version() == v0 + 3);
    BOOST_CHECK_THROW(store->rotate_mca_secret("prof_1", "mca_none", "x", false, 1000), std::invalid_argument);
    BOOST_TEST(other->config_version() == v0 + 3);
    // The old secret's window is what a cached copy of the MCA must not outlive.
    BOOST_TEST(store->find_mca("prof_1", "mca_v", 1050)->secrets_expire_at.value_or(0) == 1100);
    BOOST_TEST(!store->find_mca("prof_1", "mca_v", 1100)->secrets_expire_at);

    {
        auto tx = store->begin();
        BOOST_TEST(tx.claim_delivery("mca_v", "ev_1"));
        tx.commit();
    }
    BOOST_TEST(store->config_version() == v0 + 3);
}

// Migrations against a real database: run with `sqlite` or `postgres` as first argument.
// Boost.Test comes first: the shared fixture defines main() helpers with it.
#define BOOST_TEST_MODULE host_migrations
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>
#include "store/migrate.hpp"

#include "../support/test_support.hpp"
#include "store_fixture.hpp"


#include <fstream>
#include <set>
#include <sstream>

namespace {

using store_test::fresh_database;

const std::vector<std::string> recovery_tables = {"business_profile", "merchant_connector_account",
                                                  "payment_intent",   "payment_attempt",
                                                  "process_tracker",  "webhook_event",
                                                  "webhook_delivery"};

std::set<std::string> tables(fresh_database& db)
{
    std::set<std::string> out;
    std::string name;
    const std::string query = store_test::use_postgres()
                                  ? "SELECT table_name FROM information_schema.tables WHERE table_schema = '" +
                                        db.schema() + "'"
                                  : "SELECT name FROM sqlite_master WHERE type = 'table'";
    soci::statement st = (db.raw().prepare << query, soci::into(name));
    st.execute();
    while (st.fetch()) out.insert(name);
    return out;
}

std::set<std::string> columns(fresh_database& db, const std::string& table)
{
    std::set<std::string> out;
    std::string name;
    if (store_test::use_postgres()) {
        soci::statement st = (db.raw().prepare << "SELECT column_name FROM information_schema.columns "
                                                  "WHERE table_schema = :s AND table_name = :t",
                              soci::use(db.schema()), soci::use(table), soci::into(name));
        st.execute();
        while (st.fetch()) out.insert(name);
    } else {
        soci::rowset<soci::row> rows = (db.raw().prepare << "PRAGMA table_info(" + table + ")");
        for (const auto& r : rows) out.insert(r.get<std::string>(1));
    }
    return out;
}

// The JSON columns' declared type: jsonb on PostgreSQL, TEXT on SQLite.
std::string column_type(fresh_database& db, const std::string& table, const std::string& column)
{
    std::string type;
    if (store_test::use_postgres()) {
        db.raw() << "SELECT data_type FROM information_schema.columns WHERE table_schema = :s AND table_name = :t "
                    "AND column_name = :c",
            soci::use(db.schema()), soci::use(table), soci::use(column), soci::into(type);
    } else {
        soci::rowset<soci::row> rows = (db.raw().prepare << "PRAGMA table_info(" + table + ")");
        for (const auto& r : rows)
            if (r.get<std::string>(1) == column) type = r.get<std::string>(2);
    }
    return type;
}

long long recorded(fresh_database& db) { return db.count("schema_migrations"); }

} // namespace

BOOST_AUTO_TEST_CASE(up_down_to_zero_and_up_again)
{
    fresh_database db(false);
    const auto backend = db.url().backend;
    const auto known = recoupd::known_migrations(backend).size();
    BOOST_REQUIRE(known >= 3u);
    auto store = db.open(1);

    for (const auto& m : store->migration_status()) BOOST_TEST(!m.applied_at);

    for (int round = 0; round < 2; ++round) {
        const auto applied = store->migrate_up();
        BOOST_TEST(applied.size() == known);
        BOOST_TEST(applied.front().version == 1);
        BOOST_TEST(recorded(db) == static_cast<long long>(known));
        const auto present = tables(db);
        for (const auto& t : recovery_tables) BOOST_TEST(present.contains(t), t);
        BOOST_TEST(store->migrate_up().empty()); // nothing left to do
        for (const auto& m : store->migration_status()) BOOST_TEST(m.applied_at.has_value());

        // Down to 0002 and 0003 (their versions, whatever comes after them), one at a time: each
        // removes only its own column.
        const auto down_to = [&](int version) {
            std::vector<recoupd::migration_state> reverted;
            for (std::size_t i = 0; i < known; ++i) {
                auto step = store->migrate_down(1);
                BOOST_REQUIRE(step.size() == 1u);
                reverted.push_back(step[0]);
                if (step[0].version == version) break;
            }
            return reverted;
        };
        BOOST_TEST(columns(db, "payment_intent").contains("last_event_at"));
        auto reverted = down_to(3);
        BOOST_TEST(reverted.back().name == "add_last_event_at_in_payment_intent");
        BOOST_TEST(!columns(db, "payment_intent").contains("last_event_at"));
        BOOST_TEST(columns(db, "payment_intent").contains("amount"));
        BOOST_TEST(columns(db, "payment_attempt").contains("feature_metadata"));
        BOOST_TEST(recorded(db) == 2);

        // 0002 alone adds payment_attempt.feature_metadata, and its down removes only it.
        reverted = down_to(2);
        BOOST_REQUIRE(reverted.size() == 1u);
        BOOST_TEST(reverted[0].name == "add_feature_metadata_in_payment_attempt");
        BOOST_TEST(!columns(db, "payment_attempt").contains("feature_metadata"));
        BOOST_TEST(columns(db, "payment_attempt").contains("connector_payment_id"));
        BOOST_TEST(recorded(db) == 1);
        BOOST_TEST(store->migrate_up().size() == known - 1);
        BOOST_TEST(columns(db, "payment_intent").contains("last_event_at"));

        // Down to zero: every table is gone, schema_migrations stays (empty).
        BOOST_TEST(store->migrate_down(100).size() == known);
        const auto left = tables(db);
        for (const auto& t : recovery_tables) BOOST_TEST(!left.contains(t), t);
        BOOST_TEST(left.contains("schema_migrations"));
        BOOST_TEST(recorded(db) == 0);
        BOOST_TEST(store->migrate_down(1).empty());
    }
}

BOOST_AUTO_TEST_CASE(the_schema_has_the_columns_tools_query)
{
    fresh_database db;
    const std::map<std::string, std::vector<std::string>> required = {
        {"payment_intent",
         {"id", "profile_id", "merchant_reference_id", "amount", "currency", "status", "feature_metadata",
          "billing_mca_id", "billing_address", "total_retry_count", "created_at", "modified_at", "last_event_at"}},
        {"payment_attempt",
         {"id", "payment_id", "status", "amount", "currency", "connector_payment_id", "error_code", "error_message",
          "feature_metadata", "charge_id", "triggered_by", "details", "created_at", "modified_at"}},
        {"process_tracker",
         {"id", "name", "runner", "status", "business_status", "retry_count", "schedule_time", "tracking_data",
          "payment_id", "created_at", "updated_at"}},
        {"webhook_event",
         {"id", "merchant_connector_id", "connector_event_id", "event_type", "action", "http_status", "received_at",
          "profile_id", "dedup_key", "outcome", "payment_id", "body_digest", "body"}},
        {"webhook_delivery", {"merchant_connector_id", "dedup_key"}},
        {"business_profile", {"id", "retry_algorithm", "retry_schedule", "created_at"}},
        {"merchant_connector_account",
         {"id", "profile_id", "connector", "secrets", "api_key", "base_url", "settings", "created_at"}},
        {"schema_migrations", {"version", "name", "applied_at"}},
    };
    for (const auto& [table, cols] : required) {
        const auto present = columns(db, table);
        for (const auto& c : cols) BOOST_TEST(present.contains(c), table + "." + c);
    }
    const std::string json_type = store_test::use_postgres() ? "jsonb" : "TEXT";
    BOOST_TEST(column_type(db, "payment_intent", "feature_metadata") == json_type);
    BOOST_TEST(column_type(db, "payment_attempt", "feature_metadata") == json_type);
    BOOST_TEST(column_type(db, "process_tracker", "tracking_data") == json_type);
    BOOST_TEST(column_type(db, "merchant_connector_account", "settings") == json_type);

    // The unique index makes concurrent first deliveries converge; the MCA needs its profile.
    auto& sql = db.raw();
    sql << "INSERT INTO payment_intent (id, profile_id, merchant_reference_id, amount, currency, status, created_at, "
           "modified_at) VALUES ('pay_1', 'p', 'inv_1', 1, 'USD', 'processing', 0, 0)";
    BOOST_CHECK_THROW(sql << "INSERT INTO payment_intent (id, profile_id, merchant_reference_id, amount, currency, "
                             "status, created_at, modified_at) VALUES ('pay_2', 'p', 'inv_1', 1, 'USD', 'processing', "
                             "0, 0)",
                      soci::soci_error);
    BOOST_CHECK_THROW(sql << "INSERT INTO merchant_connector_account (id, profile_id, connector, secrets, settings, "
                             "created_at, modified_at) VALUES ('m', 'no_profile', 'c', 's', '{}', 0, 0)",
                      soci::soci_error);
    sql << "INSERT INTO business_profile (id, created_at) VALUES ('p', 0)";
    std::string algorithm;
    sql << "SELECT retry_algorithm FROM business_profile WHERE id = 'p'", soci::into(algorithm);
    BOOST_TEST(algorithm == "cascading");
}

BOOST_AUTO_TEST_CASE(the_reference_migration_is_verbatim_on_postgres)
{
    if (!store_test::use_postgres()) return;
    const char* root = std::getenv("RECOUP_SOURCE_ROOT");
    BOOST_REQUIRE(root != nullptr);
    const std::string dir =
        std::string(root) + "/migrations/postgres/0002_add_feature_metadata_in_payment_attempt/";
    BOOST_TEST(recoup_test::read_file(dir + "up.sql") == "ALTER TABLE payment_attempt ADD COLUMN feature_metadata JSONB;\n");
    BOOST_TEST(recoup_test::read_file(dir + "down.sql") ==
               "ALTER TABLE payment_attempt DROP COLUMN IF EXISTS feature_metadata;\n");
    const auto& m = recoupd::known_migrations(recoupd::backend::postgresql)[1];
    BOOST_TEST(m.up.size() == 1u);
    BOOST_TEST(std::string(m.up[0]) == "ALTER TABLE payment_attempt ADD COLUMN feature_metadata JSONB");
}

BOOST_AUTO_TEST_CASE(a_failing_migration_leaves_nothing_behind)
{
    fresh_database db(false);
    auto store = db.open(1);
    // A table the first migration creates already exists: 0001 fails and rolls back whole.
    db.raw() << "CREATE TABLE webhook_delivery (x INTEGER)";
    BOOST_CHECK_THROW(store->migrate_up(), std::runtime_error);
    BOOST_TEST(recorded(db) == 0);
    BOOST_TEST(!tables(db).contains("business_profile"));
    db.raw() << "DROP TABLE webhook_delivery";
    BOOST_TEST(store->migrate_up().size() == recoupd::known_migrations(db.url().backend).size());
}

int main(int argc, char** argv) { return store_test::run_suite(argc, argv, &init_unit_test); }

// recoupd's SOCI store, internal: the rows of its tables and how they map onto recoup's records.
// Each row type names its table and columns, binds those columns with into(), and turns itself
// into a record with record(); the binds types turn a record into bound values for its writes.
#pragma once

#include "store/secrets_crypto.hpp"
#include "store/soci_store.hpp"

#include <recoup/store.hpp>

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace recoupd::store_detail {

// A stored value that cannot become a record (an unknown enum, corrupt JSON, a bad currency).
// Retrying cannot mend it, so it is deliberately not a recoup::storage_error.
class row_error : public std::runtime_error {
public:
    row_error(std::string_view table, std::string_view column, const std::string& id, const std::string& why);
};

// A nullable bound value: SOCI wants lvalues for both.
struct nullable {
    std::string value;
    soci::indicator ind = soci::i_null;
};

inline nullable from_optional(const std::optional<std::string>& v)
{
    return v ? nullable{*v, soci::i_ok} : nullable{};
}
inline nullable from_non_empty(const std::string& v) { return v.empty() ? nullable{} : nullable{v, soci::i_ok}; }
inline std::optional<std::string> to_optional(const std::string& v, soci::indicator ind)
{
    return ind == soci::i_ok ? std::optional<std::string>(v) : std::nullopt;
}
inline std::string or_empty(const std::string& v, soci::indicator ind) { return ind == soci::i_ok ? v : std::string(); }

// `text` ("" meaning {}) as compact JSON, or none when it is not a JSON object.
std::optional<std::string> compact_json_object(const std::string& text);

struct intent_row {
    static constexpr std::string_view table = "payment_intent";
    static std::string columns()
    {
        return "id, profile_id, merchant_reference_id, billing_mca_id, amount, currency, status, billing_address, "
               "total_retry_count, feature_metadata, created_at, modified_at, last_event_at";
    }

    std::string id, profile_id, reference, mca, currency, status, address, metadata;
    soci::indicator mca_ind = soci::i_ok, address_ind = soci::i_ok, metadata_ind = soci::i_ok,
                    last_event_ind = soci::i_null;
    long long amount = 0, created = 0, modified = 0, last_event = 0;
    int retries = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(profile_id), soci::into(reference), soci::into(mca, mca_ind),
                soci::into(amount), soci::into(currency), soci::into(status), soci::into(address, address_ind),
                soci::into(retries), soci::into(metadata, metadata_ind), soci::into(created), soci::into(modified),
                soci::into(last_event, last_event_ind));
    }

    recoup::intent_record record() const;
};

// The values an intent's INSERT and UPDATE bind.
struct intent_binds {
    std::string currency, status;
    nullable mca, address, metadata;
    long long amount, created, modified, last_event;
    soci::indicator last_event_ind;

    explicit intent_binds(const recoup::intent_record& intent);
};

struct attempt_row {
    static constexpr std::string_view table = "payment_attempt";
    static std::string columns()
    {
        return "id, payment_id, status, amount, currency, connector_payment_id, charge_id, error_code, "
               "error_message, triggered_by, feature_metadata, details, created_at, modified_at, decline_class, "
               "network, network_decline_code, network_advice_code, payment_method_id, credential_id";
    }

    std::string id, payment_id, status, currency, connector_payment_id, charge_id, error_code, error_message,
        triggered, metadata, details, decline_class, network, network_code, advice_code, method, credential;
    soci::indicator charge_ind = soci::i_ok, code_ind = soci::i_ok, message_ind = soci::i_ok,
                    metadata_ind = soci::i_ok, details_ind = soci::i_ok, class_ind = soci::i_null,
                    network_ind = soci::i_null, network_code_ind = soci::i_null, advice_ind = soci::i_null,
                    method_ind = soci::i_null, credential_ind = soci::i_null;
    long long amount = 0, created = 0, modified = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(payment_id), soci::into(status), soci::into(amount),
                soci::into(currency), soci::into(connector_payment_id), soci::into(charge_id, charge_ind),
                soci::into(error_code, code_ind), soci::into(error_message, message_ind), soci::into(triggered),
                soci::into(metadata, metadata_ind), soci::into(details, details_ind), soci::into(created),
                soci::into(modified), soci::into(decline_class, class_ind), soci::into(network, network_ind),
                soci::into(network_code, network_code_ind), soci::into(advice_code, advice_ind),
                soci::into(method, method_ind), soci::into(credential, credential_ind));
    }

    recoup::attempt_record record() const;
};

// The values an attempt's INSERT and UPDATE bind.
struct attempt_binds {
    std::string status, currency, triggered;
    nullable charge, code, message, metadata, details, decline_class, network, network_code, advice_code, method,
        credential;
    long long amount, created, modified;

    explicit attempt_binds(const recoup::attempt_record& attempt);
};

struct task_row {
    static constexpr std::string_view table = "process_tracker";
    static std::string columns()
    {
        return "id, name, runner, status, business_status, retry_count, schedule_time, tracking_data, payment_id, "
               "created_at, updated_at";
    }

    std::string id, name, runner, status, business_status, tracking_data, payment_id;
    soci::indicator tracking_ind = soci::i_ok, payment_ind = soci::i_ok;
    int retries = 0;
    long long schedule = 0, created = 0, updated = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(name), soci::into(runner), soci::into(status),
                soci::into(business_status), soci::into(retries), soci::into(schedule),
                soci::into(tracking_data, tracking_ind), soci::into(payment_id, payment_ind), soci::into(created),
                soci::into(updated));
    }

    recoup::task_record record() const;
};

// An event as listed: without its raw body.
struct event_row {
    static constexpr std::string_view table = "webhook_event";
    static std::string columns()
    {
        return "id, profile_id, merchant_connector_id, connector_event_id, dedup_key, event_type, action, outcome, "
               "http_status, payment_id, body_digest, received_at";
    }

    std::string id, profile_id, mca, event_id, dedup_key, event_type, action, outcome, payment_id, digest, body;
    soci::indicator event_id_ind = soci::i_ok, payment_ind = soci::i_ok, body_ind = soci::i_null;
    int http_status = 0;
    long long received = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(profile_id), soci::into(mca), soci::into(event_id, event_id_ind),
                soci::into(dedup_key), soci::into(event_type), soci::into(action), soci::into(outcome),
                soci::into(http_status), soci::into(payment_id, payment_ind), soci::into(digest),
                soci::into(received));
    }

    recoup::event_record record() const;
};

// An event as found by id: with its raw body.
struct event_with_body_row : event_row {
    static std::string columns() { return event_row::columns() + ", body"; }

    template <class T>
    T& into(T& t)
    {
        return (event_row::into(t), soci::into(body, body_ind));
    }
};

struct profile_row {
    static constexpr std::string_view table = "business_profile";
    static std::string columns() { return "id, retry_algorithm, retry_schedule, created_at, network_rules"; }

    std::string id, algorithm, schedule, rules;
    soci::indicator schedule_ind = soci::i_null, rules_ind = soci::i_null;
    long long created = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(algorithm), soci::into(schedule, schedule_ind), soci::into(created),
                soci::into(rules, rules_ind));
    }

    profile_record record() const;
};

// An MCA's webhook secrets, sealed as one JSON list: [{"value": "...", "expires_at": N|null}, ...].
struct stored_secret {
    std::string value;
    std::optional<std::int64_t> expires_at;
};

std::string secrets_json(const std::vector<stored_secret>& secrets);
// The opened secrets column of MCA `mca_id`.
std::vector<stored_secret> secrets_from_json(const std::string& text, const std::string& mca_id);
// The associated data binding a sealed value to its MCA and column.
std::string secrets_aad(const std::string& mca_id);
std::string api_key_aad(const std::string& mca_id);

// Just the sealed secrets of an MCA, for a rotation.
struct mca_secrets_row {
    static constexpr std::string_view table = "merchant_connector_account";
    static std::string columns() { return "secrets"; }

    std::string sealed;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(sealed));
    }
};

struct mca_row {
    static constexpr std::string_view table = "merchant_connector_account";
    static std::string columns()
    {
        return "id, profile_id, connector, secrets, api_key, base_url, settings, created_at";
    }

    std::string id, profile_id, connector, sealed, api_key, base_url, settings;
    soci::indicator key_ind = soci::i_null, url_ind = soci::i_null;
    long long created = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(profile_id), soci::into(connector), soci::into(sealed),
                soci::into(api_key, key_ind), soci::into(base_url, url_ind), soci::into(settings),
                soci::into(created));
    }

    // Opens the secrets and API key with `box`, keeping the secrets still valid at `now`.
    mca_record record(const secret_box& box, std::int64_t now) const;
};

struct mca_summary_row {
    static constexpr std::string_view table = "merchant_connector_account";
    static std::string columns()
    {
        return "id, profile_id, connector, secret_count, CASE WHEN api_key IS NULL THEN 0 ELSE 1 END, base_url, "
               "settings, created_at";
    }

    std::string id, profile_id, connector, base_url, settings;
    soci::indicator key_ind = soci::i_null, url_ind = soci::i_null;
    int secret_count = 0, has_key = 0;
    long long created = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(profile_id), soci::into(connector), soci::into(secret_count),
                soci::into(has_key, key_ind), soci::into(base_url, url_ind), soci::into(settings),
                soci::into(created));
    }

    mca_summary record() const;
};

} // namespace recoupd::store_detail

// recoupd's SOCI store, internal: the rows of merchant_endpoint and outgoing_webhook (the outbox,
// docs/merchant-webhooks.md), in the style of rows.hpp.
#pragma once

#include "store/soci_store.hpp"

#include <soci/soci.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace recoupd::store_detail {

// The associated data binding a sealed endpoint secret to its endpoint.
inline std::string endpoint_secret_aad(const std::string& endpoint_id)
{
    return "merchant_endpoint:" + endpoint_id + ":secret";
}

struct endpoint_row {
    static constexpr std::string_view table = "merchant_endpoint";
    static std::string columns()
    {
        return "id, profile_id, url, status, disabled_reason, consecutive_failures, created_at";
    }

    std::string id, profile_id, url, status, reason;
    soci::indicator reason_ind = soci::i_null;
    int failures = 0;
    long long created = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(profile_id), soci::into(url), soci::into(status),
                soci::into(reason, reason_ind), soci::into(failures), soci::into(created));
    }

    endpoint_record record() const
    {
        endpoint_record r;
        r.id = id;
        r.profile_id = profile_id;
        r.url = url;
        r.status = status;
        if (reason_ind == soci::i_ok) r.disabled_reason = reason;
        r.consecutive_failures = failures;
        r.created_at = created;
        return r;
    }
};

struct outgoing_row {
    static constexpr std::string_view table = "outgoing_webhook";
    static std::string columns()
    {
        return "id, endpoint_id, profile_id, payment_id, event_type, body, status, attempts, next_attempt_at, "
               "last_status, last_error, created_at, delivered_at";
    }

    std::string id, endpoint_id, profile_id, payment_id, event_type, body, status, last_error;
    soci::indicator payment_ind = soci::i_null, last_status_ind = soci::i_null, last_error_ind = soci::i_null,
                    delivered_ind = soci::i_null;
    int attempts = 0, last_status = 0;
    long long next_attempt = 0, created = 0, delivered = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(endpoint_id), soci::into(profile_id), soci::into(payment_id, payment_ind),
                soci::into(event_type), soci::into(body), soci::into(status), soci::into(attempts),
                soci::into(next_attempt), soci::into(last_status, last_status_ind),
                soci::into(last_error, last_error_ind), soci::into(created), soci::into(delivered, delivered_ind));
    }

    outgoing_record record() const
    {
        outgoing_record r;
        r.id = id;
        r.endpoint_id = endpoint_id;
        r.profile_id = profile_id;
        if (payment_ind == soci::i_ok) r.payment_id = payment_id;
        r.event_type = event_type;
        r.body = body;
        r.status = status;
        r.attempts = attempts;
        r.next_attempt_at = next_attempt;
        if (last_status_ind == soci::i_ok) r.last_status = last_status;
        if (last_error_ind == soci::i_ok) r.last_error = last_error;
        r.created_at = created;
        if (delivered_ind == soci::i_ok) r.delivered_at = delivered;
        return r;
    }
};

// The ids of a profile's enabled endpoints, by id (one indexed read: merchant_endpoint_profile_idx).
inline std::vector<std::string> enabled_endpoint_ids(soci::session& sql, const std::string& profile_id)
{
    const std::string enabled = "enabled";
    std::vector<std::string> ids;
    std::string id;
    soci::statement st = (sql.prepare << "SELECT id FROM merchant_endpoint WHERE profile_id = :p AND status = :s ORDER BY id",
                          soci::use(profile_id), soci::use(enabled), soci::into(id));
    st.execute();
    while (st.fetch()) ids.push_back(id);
    return ids;
}

} // namespace recoupd::store_detail

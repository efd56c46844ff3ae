// recoup: the domain's JSON form (docs/behaviour.md §2 field names, enum wire spellings). It is what the
// plugin ABI carries, what the conformance checker compares, and what the event log stores.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/domain.hpp>
#include <recoup/wire.hpp>

#include <boost/json.hpp>

RECOUP_BEGIN_NAMESPACE

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const address& a);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const recovery_invoice& i);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const recovery_attempt& a);

address tag_invoke(const boost::json::value_to_tag<address>&, const boost::json::value& jv);
recovery_invoice tag_invoke(const boost::json::value_to_tag<recovery_invoice>&, const boost::json::value& jv);
recovery_attempt tag_invoke(const boost::json::value_to_tag<recovery_attempt>&, const boost::json::value& jv);
payment_method_ref tag_invoke(const boost::json::value_to_tag<payment_method_ref>&, const boost::json::value& jv);

// Headers travel as an array of [name, value] pairs: order and repeats are kept.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const outbound_request& r);
outbound_request tag_invoke(const boost::json::value_to_tag<outbound_request>&, const boost::json::value& jv);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const api_response& r);
api_response tag_invoke(const boost::json::value_to_tag<api_response>&, const boost::json::value& jv);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const normalized_webhook& w);
normalized_webhook tag_invoke(const boost::json::value_to_tag<normalized_webhook>&, const boost::json::value& jv);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const record_back_request& r);
record_back_request tag_invoke(const boost::json::value_to_tag<record_back_request>&, const boost::json::value& jv);

RECOUP_END_NAMESPACE

#include <recoup/impl/json.hpp>

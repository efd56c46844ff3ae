// recoup: revenue recovery for subscription billing. The umbrella header.
#pragma once

#include <recoup/detail/config.hpp>

#include <recoup/action_table.hpp>
#include <recoup/api_error.hpp>
#include <recoup/clock.hpp>
#include <recoup/connector.hpp>
#include <recoup/credential.hpp>
#include <recoup/crypto.hpp>
#include <recoup/decline.hpp>
#include <recoup/domain.hpp>
#include <recoup/error.hpp>
#include <recoup/flow.hpp>
#include <recoup/form.hpp>
#include <recoup/json.hpp>
#include <recoup/memory_store.hpp>
#include <recoup/method_choice.hpp>
#include <recoup/money.hpp>
#include <recoup/network_rules.hpp>
#include <recoup/processor.hpp>
#include <recoup/result.hpp>
#include <recoup/retry.hpp>
#include <recoup/signature.hpp>
#include <recoup/smart_retry.hpp>
#include <recoup/store.hpp>
#include <recoup/sync.hpp>
#include <recoup/task.hpp>
#include <recoup/webhook_request.hpp>
#include <recoup/wire.hpp>
#include <recoup/wire_fields.hpp>
#include <recoup/workflow.hpp>

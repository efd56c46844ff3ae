// recoupd's SOCI store, internal: what an id or a savepoint name may hold. Savepoint names go
// into SQL text, so the rule keeps them to plain characters.
#pragma once

#include <recoup/domain.hpp>

#include <string_view>

namespace recoupd::store_detail {

// The library's id rule (recoup/domain.hpp): 1-64 characters of A-Z a-z 0-9 _ -
inline bool valid_id(std::string_view id) { return recoup::is_valid_id(id); }

} // namespace recoupd::store_detail

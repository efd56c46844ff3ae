// recoupd's SOCI store, internal: what an id or a savepoint name may hold. Savepoint names go
// into SQL text, so the rule keeps them to plain characters.
#pragma once

#include <cctype>
#include <string_view>

namespace recoupd::store_detail {

// 1-64 characters of A-Z a-z 0-9 _ -
inline bool valid_id(std::string_view id)
{
    if (id.empty() || id.size() > 64) return false;
    for (const char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    return true;
}

} // namespace recoupd::store_detail

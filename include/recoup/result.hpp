// recoup: result<T>, a value or a `failure`. Non-throwing APIs return it; value() throws
// recoup::exception for callers who prefer exceptions.
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/error.hpp>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <stdexcept>

RECOUP_BEGIN_NAMESPACE

class exception : public std::runtime_error {
public:
    explicit exception(failure f) : std::runtime_error(f.what()), failure_(std::move(f)) {}
    const failure& get() const noexcept { return failure_; }

private:
    failure failure_;
};

// Found by ADL from boost::system::result<T, failure>::value().
[[noreturn]] inline void throw_exception_from_error(const failure& f, const boost::source_location&)
{
    throw exception(f);
}

template <class T>
using result = boost::system::result<T, failure>;

RECOUP_END_NAMESPACE

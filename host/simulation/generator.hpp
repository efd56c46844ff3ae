// recoupd simulate --generate N --seed S: a population drawn from model.hpp. Deterministic for a
// seed on every platform: std::mt19937_64 (its output sequence is fixed by the C++ standard) and
// our own arithmetic on it, never the standard distributions (their algorithms vary by library).
#pragma once

#include "simulation/population.hpp"

#include <cstdint>
#include <vector>

namespace recoupd::simulation {

// N invoices "inv_1" ... "inv_N", sorted by failed_at.
std::vector<invoice> generate(std::size_t n, std::uint64_t seed);

} // namespace recoupd::simulation

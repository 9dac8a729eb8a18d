#pragma once
// Percentages for the minutes: exact integer arithmetic, rounded half-up to two decimals.
// Shown only; never used to decide anything. Pure function.

#include <cstdint>
#include <string>

namespace tallystation::tally {

// 100 * part / whole as "ddd.dd", rounded half up: percent_of(2, 3) == "66.67",
// percent_of(1, 8) == "12.50", percent_of(6, 10) == "60.00". whole == 0 gives "0.00".
// Exact for whole < 2^60.
std::string percent_of(std::uint64_t part, std::uint64_t whole);

}  // namespace tallystation::tally

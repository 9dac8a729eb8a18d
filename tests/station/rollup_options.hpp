#pragma once
// The season rollup's options for tests that call the library: `jobs` threads, nothing else set
// (no NIST staging, so write_report renders the NIST files itself).
#include "tally/audit/rollup/season.hpp"

namespace tallystation::station::testing {

inline audit::rollup::RollupOptions jobs_option(unsigned jobs) {
  audit::rollup::RollupOptions o;
  o.jobs = jobs;
  return o;
}

}  // namespace tallystation::station::testing

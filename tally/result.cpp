#include "tally/result.hpp"

namespace tallystation::tally {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::complete:
      return "complete";
    case Outcome::tie:
      return "tie";
    case Outcome::unfilled:
      return "unfilled";
    case Outcome::exhausted:
      return "exhausted";
  }
  return "complete";
}

}  // namespace tallystation::tally

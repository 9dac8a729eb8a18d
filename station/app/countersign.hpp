#pragma once
// Certifying the counting minutes: counting-committee members countersign the station-signed
// result envelope (CONTRACT.md sections 1 and 4). A countersignature is checked against the
// member's key over the exact stored payload bytes before it joins the envelope; the minutes are
// certified once the session's required number of distinct members have signed. Also the
// inclusion proof of one ballot in a closed round's box (CONTRACT.md section 3).
// Wire forms: docs/protocol.md "Results". Pure functions over values; thread safe.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "station/app/refusal.hpp"
#include "station/config/session.hpp"

namespace tallystation::station {

// POST /v1/results/<contest>/<round>/signatures takes either {"keyid","sig"} (sig: base64 over
// PAE of the stored minutes) or a whole DSSE envelope of the same payload, as any DSSE tool
// writes it. Returns the signatures offered, raw. Refusal::malformed if neither.
// `stored` is the current result envelope: an envelope body must carry exactly its payload and
// payload type (else Refusal::malformed, "over different bytes").
Checked<std::vector<crypto::Signature>> parse_countersignatures(std::string_view body,
                                                                const crypto::Envelope& stored);

// The stored envelope with the offered signatures added, in the order given, after checking each:
// by a member of the counting committee (else not_committee_member), not already in the
// envelope (else already_signed), valid over PAE(result type, stored payload) (else
// bad_signature). All or nothing: one bad signature refuses the request.
Checked<crypto::Envelope> add_countersignatures(const crypto::Envelope& stored,
                                                std::span<const crypto::Signature> offered,
                                                const Session& session);

// Who has validly signed the minutes.
struct Certification {
  bool station_signed = false;
  std::vector<std::string> signed_by;  // member ids, in the committee's order
  std::vector<std::string> missing;    // members who have not signed, committee order
  std::uint32_t required = 0;
  bool certified = false;  // signed_by.size() >= required
};
Certification certification(const crypto::Envelope& minutes, const Session& session,
                            const crypto::PublicKey& station_key);
// {"certified","required","signed_by":[{"id","name","keyid"}],"missing":[ids]}
boost::json::object to_json(const Certification& c, const Session& session);

// RFC 6962 inclusion proof of the ballot with leaf hash `ballot_hash_hex` in the box whose leaf
// hashes (sorted ascending) are `box`: {"tree_size","leaf_index","audit_path","root"}.
// Refusal::bad_query for a hash that is not 64 hex digits, Refusal::not_found if not in the box.
Checked<boost::json::object> box_inclusion_proof(std::span<const crypto::Digest> box,
                                                 std::string_view ballot_hash_hex);

}  // namespace tallystation::station

#pragma once
// MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) as a policy-enforcing sender applies them: the TXT
// announcement, the policy text, the MX patterns, what an endpoint must present, and the findings
// of SPEC §4 (mta-sts-*, tls-rpt-missing). Pure: evidence in, findings out.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/evidence.hpp"
#include "tls/certificate.hpp"
#include "tls/trust.hpp"
#include "tls/verdict.hpp"

namespace stp::tls {

enum class StsMode { enforce, testing, none };
std::string_view to_string(StsMode mode);

struct StsPolicy {
  StsMode mode = StsMode::none;
  std::vector<std::string> mx;  // patterns as written, lower case
  std::int64_t max_age = 0;
};

// A text that is a policy, or why it is not (naming the line).
struct StsPolicyParse {
  std::optional<StsPolicy> policy;
  std::string error;
};
StsPolicyParse parse_sts_policy(std::string_view text);

// The TXT records at _mta-sts.DOMAIN: none that starts "v=STSv1" (no policy), or the one that
// does with its id, or why it cannot be used (several, no valid id).
struct StsAnnouncement {
  bool present = false;
  std::string id;
  std::string error;
};
StsAnnouncement read_sts_announcement(const std::vector<std::string>& texts);

// RFC 8461 §4.1: a pattern is a host name, or "*." and a domain standing for one more label.
bool mx_pattern_matches(std::string_view pattern, std::string_view host);

// TLS-RPT: the rua= URIs of the one record that starts "v=TLSRPTv1", or none (several count as none).
std::optional<std::vector<std::string>> read_tls_rpt(const std::vector<std::string>& texts);

// SPEC §5's `mta_sts` object.
struct MtaStsResult {
  std::string policy_id;
  std::optional<StsMode> mode;
  std::vector<std::string> mx_patterns;
  std::optional<std::int64_t> max_age;
  std::optional<bool> mx_listed;       // null: no policy to hold the MX host against
  std::optional<bool> certificate_ok;  // null: not judged (no policy, or no trust anchors)
  std::string error;                   // why the policy could not be had; empty when it was
};

struct TlsRptResult {
  std::vector<std::string> rua;
};

struct PolicyJudgement {
  std::optional<MtaStsResult> mta_sts;  // null: not looked up, or no policy announced
  std::optional<TlsRptResult> tls_rpt;  // null: not looked up, or none published
  std::vector<Finding> findings;
};

// One endpoint of an mx: target against its domain's policies. `chain`: the presented chain as
// described; `anchors`: what the policy's HTTPS server and the endpoint must chain to (null: trust
// is not judged); `dane_in_use`: a secure TLSA RRset with a usable record was found for the host.
PolicyJudgement judge_mail_policies(const probe::Evidence& evidence, const std::vector<CertificateFacts>& chain,
                                    const TrustAnchors* anchors, bool dane_in_use, std::int64_t now);

}  // namespace stp::tls

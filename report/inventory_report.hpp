#pragma once
// Predictions from an Exchange export (`inventory`, and `inventory` in scan results), as SPEC §2's
// fixed JSON fields and as text for people.

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "inventory/predict.hpp"
#include "report/writer.hpp"

namespace stp::report {

// {"connector", "server", "kind", "fqdn", "lookup_key", "starttls_offered", "predicted_thumbprint",
//  "predicted_event", "rule", "candidates": [{"thumbprint", "eligible", "why_not", …}], …}
boost::json::object prediction_json(const inventory::Prediction& prediction);

// "STARTTLS with <thumbprint>", "no STARTTLS", with ", event 12016" when one is predicted.
std::string prediction_summary(const inventory::Prediction& prediction);

// The whole `inventory` report in one of text, json, jsonl; returns the exit code (SPEC §3) by the
// worst prediction: critical for 12014 / 12016, warning for a choice that expires soon.
int write_predictions(const std::vector<inventory::Prediction>& predictions, Format format, const Writer::Sink& sink,
                      bool color);

// Certificates exported without any connector (SPEC §2): each with the connector FQDNs it could
// serve, or why none; the exit code by the expiry of those that can serve SMTP.
int write_certificate_uses(const std::vector<inventory::CertificateUse>& uses, Format format, const Writer::Sink& sink,
                           bool color);

}  // namespace stp::report

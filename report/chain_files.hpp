#pragma once
// --save-chains DIR: each presented chain as PEM, DIR/<host>_<port>.pem.

#include <string>

#include "probe/evidence.hpp"
#include "tls/assessment.hpp"

namespace stp::report {

// Creates DIR when missing; throws std::runtime_error when it cannot be written to.
void prepare_chain_directory(const std::string& dir);

struct SavedChain {
  std::string path;   // the file written or meant; empty when there was no chain to save
  std::string error;  // why it could not be written; empty when it was (or there was nothing to write)
};

// Writes the chain (leaf first) when there is one: to a temporary file of its own, created
// exclusively beside the final name (several results for one host:port never share one), then
// renamed into place. A failure is returned, never thrown: one chain that cannot be written
// costs that endpoint a finding, not the scan.
SavedChain save_chain(const std::string& dir, const probe::Evidence& evidence, const tls::Assessment& assessment);

}  // namespace stp::report

#pragma once
// --save-chains DIR: each presented chain as PEM, DIR/<host>_<port>.pem.

#include <string>

#include "probe/evidence.hpp"
#include "tls/assessment.hpp"

namespace stp::report {

// Creates DIR when missing; throws std::runtime_error when it cannot be written to.
void prepare_chain_directory(const std::string& dir);

// Writes the chain (leaf first) when there is one; returns the path written, or "" for no chain.
std::string save_chain(const std::string& dir, const probe::Evidence& evidence, const tls::Assessment& assessment);

}  // namespace stp::report

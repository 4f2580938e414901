// `check-endpoint`: can the adapter work with this EHR endpoint? Reads the
// CapabilityStatement, obtains a token, and checks every type and interaction
// the adapter relies on, with a verdict per item an integrator can act on.
#ifndef SA_ADAPTER_CHECK_ENDPOINT_H_
#define SA_ADAPTER_CHECK_ENDPOINT_H_

#include <string>
#include <vector>

#include "adapter/ehr_connection.h"

namespace sa::adapter {

struct EndpointCheck {
  std::string item;    // e.g. "Task: conditional update"
  bool ok = false;
  std::string detail;  // why not, or what was found
};

// Runs every check over `connection`; never throws, never stops at the first
// failure (an unreachable server fails the remaining items with its reason).
std::vector<EndpointCheck> CheckEndpoint(EhrConnection& connection);

}  // namespace sa::adapter

#endif  // SA_ADAPTER_CHECK_ENDPOINT_H_

// `demo`: the adapter end to end on its embedded defaults. Starts the bundled
// FHIR server as the EHR, seeds it with the example children, separates every
// example session, delivers each agreed plan, and shows where each part went:
// the Tasks now in the EHR, the sessions held back, and a scan of everything
// sent over the wire for confidential text.
#ifndef SA_ADAPTER_DEMO_H_
#define SA_ADAPTER_DEMO_H_

#include <ostream>
#include <string>

namespace sa::adapter {

struct DemoOptions {
  std::string examples_dir = "config/examples";
  std::string fhir_server_script = "tests/fhir-server/server.js";
};

// Runs the demo, writing a report to `out`. Returns a CLI exit status.
int RunDemo(const DemoOptions& options, std::ostream& out);

}  // namespace sa::adapter

#endif  // SA_ADAPTER_DEMO_H_

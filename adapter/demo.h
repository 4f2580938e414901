// `demo`: the adapter end to end on its embedded defaults. Starts the bundled
// FHIR server as the EHR, seeds it with the example children, takes every
// example session into an embedded SQLite store (one transaction each),
// delivers the agreed plans through the outbox, and shows where each part
// went: register, sealed records, audit chain, the Tasks now in the EHR, and
// scans of the database files and of everything sent for confidential text.
#ifndef SA_ADAPTER_DEMO_H_
#define SA_ADAPTER_DEMO_H_

#include <ostream>
#include <string>

namespace sa::adapter {

struct DemoOptions {
  std::string examples_dir = "config/examples";
  std::string fhir_server_script = "tests/fhir-server/server.js";
  std::string state_dir = "var/demo";  // the demo's store and generated key; recreated each run
};

// Runs the demo, writing a report to `out`. Returns a CLI exit status.
int RunDemo(const DemoOptions& options, std::ostream& out);

}  // namespace sa::adapter

#endif  // SA_ADAPTER_DEMO_H_

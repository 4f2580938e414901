// supervision-adapter: the one executable (contract §3).
//
// Commands are registered by name in one table; each returns its exit status.
// Exit statuses: 0 ok, 1 operational failure, 2 bad input (record or config),
// 64 usage error.
#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "adapter/cli/commands.h"

namespace {

struct Command {
  const char* name;
  const char* usage;
  const char* summary;
  std::function<int(const std::vector<std::string>&)> run;
};

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"explain", "explain [--json] [--config C] SESSION.json...",
       "show where every field of a session record goes, and why (no store, no network)",
       sa::adapter::cli::RunExplain},
      {"config", "config check C", "validate a configuration file and name every bad key",
       sa::adapter::cli::RunConfig},
      {"intake", "intake --config C SESSION.json...",
       "validate, separate and store each session in one transaction; one JSON line each",
       sa::adapter::cli::RunIntake},
      {"deliver", "deliver --config C --until-idle",
       "deliver queued FHIR writes until none is pending (exit 3 if any went to dead letter)",
       sa::adapter::cli::RunDeliver},
      {"outbox", "outbox --config C list [STATE] | retry ID|--all-dead | discard ID --reason TEXT",
       "inspect and operate the outbox (audited)", sa::adapter::cli::RunOutbox},
      {"audit", "audit verify|anchor --config C",
       "check the audit log's hash chain (exit 4 when broken); anchor: record the verified head so a"
       " later truncation is caught, and print it to keep off the machine",
       sa::adapter::cli::RunAudit},
      {"sync", "sync --config C [--once] [--interval SECONDS]",
       "poll Task status back from the EHR; --once: one poll, one JSON line of stats",
       sa::adapter::cli::RunSync},
      {"keys", "keys generate | keys rotate --config C [--batch N]",
       "print a new key-encryption key (base64) for kekFile/kekEnv; re-wrap every record under the active KEK"
       " and say which retired KEKs may be removed (audited; exit 1 if any row is left behind)",
       sa::adapter::cli::RunKeys},
      {"check-endpoint", "check-endpoint --config C",
       "check the configured EHR endpoint: token, CapabilityStatement, the interactions the adapter needs",
       sa::adapter::cli::RunCheckEndpoint},
      {"demo", "demo [--examples DIR] [--fhir-server SCRIPT]",
       "run the example sessions end to end against the bundled FHIR server",
       sa::adapter::cli::RunDemo},
      {"serve", "serve --config C [--listen HOST:PORT] [--no-delivery] [--no-sync]",
       "the HTTP API (docs/api.md) with delivery and Task status sync in the background; drains on SIGTERM",
       sa::adapter::cli::RunServe},
      {"token", "token keygen --alg ES256 --private F --jwks F | token issue --config C --sub ID --role R --org O",
       "a signing key pair for a test issuer; a signed API token (only when /api/auth/tokenIssue is configured)",
       sa::adapter::cli::RunToken},
      {"version", "version", "print the version", sa::adapter::cli::RunVersion},
  };
  return kCommands;
}

int Usage(std::ostream& out, int status) {
  out << "usage: supervision-adapter COMMAND [ARGS]\n\ncommands:\n";
  for (const auto& c : Commands()) out << "  " << c.usage << "\n      " << c.summary << "\n";
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage(std::cerr, sa::adapter::cli::kExitUsage);
  std::string name = argv[1];
  if (name == "-h" || name == "--help" || name == "help") return Usage(std::cout, 0);
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& c : Commands()) {
    if (name == c.name) return c.run(args);
  }
  std::cerr << "supervision-adapter: unknown command '" << name << "'\n";
  return Usage(std::cerr, sa::adapter::cli::kExitUsage);
}

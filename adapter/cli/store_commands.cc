// The commands that use the store: intake, deliver, outbox, audit, keys.
#include <iostream>

#include "adapter/audit/anchor.h"
#include "adapter/audit/verify.h"
#include "adapter/cli/commands.h"
#include "adapter/core/intake.h"
#include "adapter/core/key_rotation.h"
#include "adapter/core/outbox.h"
#include "adapter/core/runtime.h"
#include "adapter/crypto/kek.h"
#include "adapter/ehr_connection.h"
#include "mappings/catalog.h"

namespace sa::adapter::cli {

namespace {

// Exit status for an audit log that fails verification (contract §3).
constexpr int kExitAuditBroken = 4;
// Exit status when a delivery run left dead letters (contract §3).
constexpr int kExitDeadLetters = 3;

// Splits "--config C" out of args; returns the path or "".
std::string TakeConfig(std::vector<std::string>& args) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--config") {
      std::string c = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      return c;
    }
  }
  return "";
}

int Fail(const std::string& command, const Status& s) {
  std::cerr << command << ": " << s.message() << "\n";
  return s.code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitFailure;
}

}  // namespace

int RunIntake(const std::vector<std::string>& in_args) {
  std::vector<std::string> args = in_args;
  std::string config = TakeConfig(args);
  if (config.empty() || args.empty()) {
    std::cerr << "usage: supervision-adapter intake --config C SESSION.json...\n";
    return kExitUsage;
  }
  auto rt = Runtime::Open(config);
  if (!rt.ok()) return Fail("intake", rt.status());
  IntakeOptions options;
  options.max_record_bytes = (*rt)->config.max_record_bytes;
  if ((*rt)->config.fhir) options.mapping = (*rt)->config.fhir->mapping;
  IntakeService service((*rt)->db.get(), (*rt)->catalog.get(), (*rt)->vault.get(), options);
  int status = kExitOk;
  for (const auto& file : args) {
    auto text = mappings::ReadTextFile(file);
    if (!text.ok()) {
      std::cerr << "intake: " << text.status().message() << "\n";
      status = kExitFailure;
      continue;
    }
    auto result = service.Intake(*text, "cli");
    if (!result.ok()) {
      // Store failure: nothing of this record was written.
      std::cerr << "intake: " << file << ": not stored: " << result.status().ToString() << "\n";
      return kExitFailure;
    }
    nlohmann::json line = result->ToJson();
    line["file"] = file;
    std::cout << line.dump() << "\n" << std::flush;
    if (result->kind == IntakeResult::Kind::kRejected && status == kExitOk) status = kExitBadInput;
  }
  return status;
}

int RunDeliver(const std::vector<std::string>& in_args) {
  std::vector<std::string> args = in_args;
  std::string config = TakeConfig(args);
  bool until_idle = args.size() == 1 && args[0] == "--until-idle";
  if (config.empty() || !until_idle) {
    std::cerr << "usage: supervision-adapter deliver --config C --until-idle\n";
    return kExitUsage;
  }
  auto rt = Runtime::Open(config, /*need_keys=*/false);
  if (!rt.ok()) return Fail("deliver", rt.status());
  if (!(*rt)->config.fhir) return Fail("deliver", Status::InvalidArgument("/fhir: required for deliver"));
  auto ehr = EhrConnection::Open(*(*rt)->config.fhir);
  if (!ehr.ok()) return Fail("deliver", ehr.status());
  OutboxWorker worker((*rt)->db.get(), &(*ehr)->client(), &(*rt)->config.fhir->mapping, (*rt)->catalog.get(),
                      (*rt)->config.outbox);
  auto stats = worker.RunUntilIdle();
  if (!stats.ok()) return Fail("deliver", stats.status());
  std::cout << nlohmann::json({{"leased", stats->leased}, {"delivered", stats->delivered},
                               {"retried", stats->retried}, {"held", stats->held}, {"dead", stats->dead}})
                   .dump()
            << "\n";
  return stats->dead > 0 ? kExitDeadLetters : kExitOk;
}

int RunOutbox(const std::vector<std::string>& in_args) {
  std::vector<std::string> args = in_args;
  std::string config = TakeConfig(args);
  if (config.empty() || args.empty()) {
    std::cerr << "usage: supervision-adapter outbox --config C list [STATE] | retry ID|--all-dead | discard ID --reason TEXT\n";
    return kExitUsage;
  }
  auto rt = Runtime::Open(config, /*need_keys=*/false);
  if (!rt.ok()) return Fail("outbox", rt.status());
  store::Database& db = *(*rt)->db;
  if (args[0] == "list") {
    auto rows = ListOutbox(db, args.size() > 1 ? args[1] : "");
    if (!rows.ok()) return Fail("outbox", rows.status());
    for (const auto& r : *rows) std::cout << r.dump() << "\n";
    return kExitOk;
  }
  if (args[0] == "retry" && args.size() == 2) {
    bool all = args[1] == "--all-dead";
    std::optional<int64_t> id;
    if (!all) id = std::atoll(args[1].c_str());
    auto n = RetryOutbox(db, "operator", id, all);
    if (!n.ok()) return Fail("outbox", n.status());
    std::cout << *n << " row(s) queued again\n";
    return kExitOk;
  }
  if (args[0] == "discard" && args.size() == 4 && args[2] == "--reason") {
    Status s = DiscardOutbox(db, "operator", std::atoll(args[1].c_str()), args[3]);
    if (!s.ok()) return Fail("outbox", s);
    std::cout << "discarded\n";
    return kExitOk;
  }
  std::cerr << "outbox: unknown subcommand\n";
  return kExitUsage;
}

int RunAudit(const std::vector<std::string>& in_args) {
  std::vector<std::string> args = in_args;
  std::string config = TakeConfig(args);
  if (config.empty() || args.size() != 1 || (args[0] != "verify" && args[0] != "anchor")) {
    std::cerr << "usage: supervision-adapter audit verify|anchor --config C\n";
    return kExitUsage;
  }
  auto rt = Runtime::Open(config, /*need_keys=*/false);
  if (!rt.ok()) return Fail("audit", rt.status());
  auto session = (*rt)->db->Connect();
  if (!session.ok()) return Fail("audit", session.status());
  auto report = audit::Verify(**session);
  if (!report.ok()) return Fail("audit", report.status());
  std::cout << audit::RenderReport(*report) << "\n";
  if (!report->intact) return kExitAuditBroken;
  if (args[0] == "anchor") {
    // Only an intact chain is anchored; the value printed is what an
    // operator copies off the machine (a ticket, the auditor's mailbox).
    store::Transaction tx(**session);
    Status s = tx.Begin();
    if (s.ok()) s = audit::WriteAnchor(**session);
    if (s.ok()) s = tx.Commit();
    if (!s.ok()) return Fail("audit anchor", s);
    auto value = audit::ReadAnchorValue(**session);
    if (!value.ok() || !*value) return Fail("audit anchor", Status::Internal("anchor not readable"));
    std::cout << "anchored " << **value << "\n";
  }
  return kExitOk;
}

// keys rotate: re-wraps every row under the active KEK, then says which
// retired KEKs no row needs any more. Exit 0 only when nothing is left behind.
int RunKeysRotate(const std::string& config, std::vector<std::string> args) {
  RotationOptions options;
  if (args.size() == 2 && args[0] == "--batch") {
    options.batch = std::atoi(args[1].c_str());
  } else if (!args.empty()) {
    std::cerr << "usage: supervision-adapter keys rotate --config C [--batch N]\n";
    return kExitUsage;
  }
  auto rt = Runtime::Open(config);
  if (!rt.ok()) return Fail("keys rotate", rt.status());
  const crypto::KeyRing& ring = (*rt)->vault->ring();
  auto report = RotateKeys(*(*rt)->db, ring, options);
  if (!report.ok()) return Fail("keys rotate", report.status());
  for (const auto& f : report->failures) {
    std::cerr << "keys rotate: " << f.record_id << ": left as it was: " << f.reason << "\n";
  }
  std::cout << report->ToJson().dump() << "\n";
  for (const auto& [id, n] : report->remaining) {
    std::cout << "KEK " << id << ": " << n << " row(s) still use it; keep it"
              << (ring.Find(id).ok() ? "" : " (not on the key ring: add its file to keys.retiredKekFiles and run again)")
              << "\n";
  }
  for (const auto& id : report->retire_ready) {
    std::cout << "retired KEK " << id
              << ": no row uses it any more; it may now be removed from keys.retiredKekFiles"
                 " (keep it with the backups taken before this rotation)\n";
  }
  return report->complete() ? kExitOk : kExitFailure;
}

int RunKeys(const std::vector<std::string>& in_args) {
  std::vector<std::string> args = in_args;
  if (args.size() == 1 && args[0] == "generate") {
    // A new key-encryption key for kekFile / kekEnv (base64, one line).
    auto k = crypto::GenerateKekBase64();
    if (!k.ok()) return Fail("keys", k.status());
    std::cout << *k << "\n";
    return kExitOk;
  }
  std::string config = TakeConfig(args);
  if (!config.empty() && !args.empty() && args[0] == "rotate") {
    return RunKeysRotate(config, std::vector<std::string>(args.begin() + 1, args.end()));
  }
  std::cerr << "usage: supervision-adapter keys generate | keys rotate --config C [--batch N]\n";
  return kExitUsage;
}

}  // namespace sa::adapter::cli

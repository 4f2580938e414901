// Test support for the report tests: a throwaway migrated SQLite file, and a
// register writer that stores a session record's register line exactly as
// intake does (register home from the separation engine, plus "_adapter").
#ifndef SA_ADAPTER_REPORTS_TEST_UTIL_H_
#define SA_ADAPTER_REPORTS_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "adapter/store/db.h"
#include "adapter/store/migrations.h"
#include "adapter/store/poco_db.h"
#include "mappings/catalog.h"
#include "mappings/separation.h"
#include "mappings/session_parser.h"

namespace sa::adapter::reports::testing {

// A fresh migrated SQLite database in a file named by the process id (test
// binaries run in parallel processes), removed with its WAL files at the end.
class TempSqlite {
 public:
  TempSqlite() {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("sa-reports-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
                .string();
    Remove();
    auto db = store::OpenSqlite(path_);
    if (!db.ok()) {
      ADD_FAILURE() << db.status().ToString();
      return;
    }
    db_ = std::move(*db);
    auto v = store::Migrate(*db_);
    if (!v.ok()) ADD_FAILURE() << v.status().ToString();
    auto s = db_->Connect();
    if (!s.ok()) {
      ADD_FAILURE() << s.status().ToString();
      return;
    }
    session_ = std::move(*s);
  }
  ~TempSqlite() {
    session_.reset();
    db_.reset();
    Remove();
  }
  store::DbSession& session() { return *session_; }

 private:
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      std::remove((path_ + suffix).c_str());
  }
  std::string path_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<store::DbSession> session_;
};

// Validates and separates `record`, then writes its register row the way
// adapter/core/intake.cc does (next version; the previous one superseded).
inline Status WriteRegisterLikeIntake(store::DbSession& s, const mappings::Catalog& catalog,
                                      const nlohmann::json& record,
                                      const std::string& received_at) {
  using nlohmann::json;
  mappings::SessionParse p = mappings::ValidateSession(record, catalog);
  if (!p.ok) {
    std::string why;
    for (const auto& e : p.errors) why += e.ToString() + "; ";
    return Status::InvalidArgument(why);
  }
  SA_ASSIGN_OR_RETURN(mappings::Separation sep, mappings::Separate(p.session, p.document, catalog));
  const mappings::Session& ss = p.session;
  const std::string state = ss.status != "held"    ? ss.status
                            : sep.agreement.agreed ? "agreed"
                                                   : "awaiting-signatures";
  SA_ASSIGN_OR_RETURN(auto latest, s.Query("SELECT MAX(version) FROM register WHERE org = ? AND"
                                           " session_id = ?",
                                           {ss.organisation, ss.session_id}));
  int64_t previous = 0;
  if (!latest.empty() && !store::IsNull(latest[0][0])) {
    SA_ASSIGN_OR_RETURN(previous, store::AsInt(latest[0][0]));
  }
  const int64_t version = previous + 1;
  if (previous) {
    SA_RETURN_IF_ERROR(s.Exec("UPDATE register SET superseded_by = ? WHERE org = ? AND"
                              " session_id = ? AND version = ?",
                              {version, ss.organisation, ss.session_id, previous})
                           .status());
  }
  json entry = sep.register_entry;
  json refs = json::array();
  for (const auto& c : ss.cases) refs.push_back(c.case_ref);
  entry["_adapter"] = {
      {"agreement", {{"agreed", sep.agreement.agreed}, {"awaiting", sep.agreement.awaiting}}},
      {"release", {{"now", sep.release_to_ehr}, {"reason", sep.release_reason}}},
      {"holds", json::array()},
      {"caseRefs", refs}};
  auto opt = [](const auto& v) { return v ? store::Value(*v) : store::Value(); };
  store::Value duration =
      ss.duration_minutes ? store::Value(int64_t{*ss.duration_minutes}) : store::Value();
  return s
      .Exec(
          "INSERT INTO register (org, session_id, version, content_hash, state, type, status,"
          " scheduled_for, held_at, duration_minutes, rebooked_to, template, supervisor_id,"
          " entry_json, agreed_at, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
          {ss.organisation, ss.session_id, version, std::string("hash-") + std::to_string(version),
           state, ss.type, ss.status, ss.scheduled_for, opt(ss.held_at), duration,
           opt(ss.rebooked_to), ss.template_name, ss.supervisor.id, entry.dump(),
           opt(sep.agreement.agreed_at), received_at})
      .status();
}

}  // namespace sa::adapter::reports::testing

#endif  // SA_ADAPTER_REPORTS_TEST_UTIL_H_

// The adapter's runtime: the configuration, its catalog, the migrated store
// and the vault, opened once per process by every command that stores.
#ifndef SA_ADAPTER_CORE_RUNTIME_H_
#define SA_ADAPTER_CORE_RUNTIME_H_

#include <memory>
#include <string>

#include "adapter/config.h"
#include "adapter/core/vault.h"
#include "adapter/store/db.h"
#include "mappings/catalog.h"

namespace sa::adapter {

struct Runtime {
  Config config;
  std::shared_ptr<const mappings::Catalog> catalog;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<Vault> vault;  // null when opened without keys

  // Loads `config_path`, opens and migrates the store, loads the keys.
  // A schema newer than this binary, a missing KEK or a bad profile stops here.
  static StatusOr<std::unique_ptr<Runtime>> Open(const std::string& config_path, bool need_keys = true);
};

// Opens the store the configuration names (SQLite file or PostgreSQL) and
// applies the schema migrations.
StatusOr<std::unique_ptr<store::Database>> OpenStore(const StoreConfig& store);

}  // namespace sa::adapter

#endif  // SA_ADAPTER_CORE_RUNTIME_H_

#include "adapter/core/runtime.h"

#include "adapter/store/migrations.h"
#include "adapter/store/poco_db.h"

namespace sa::adapter {

StatusOr<std::unique_ptr<store::Database>> OpenStore(const StoreConfig& cfg) {
  std::unique_ptr<store::Database> db;
  if (cfg.sqlite_path) {
    SA_ASSIGN_OR_RETURN(db, store::OpenSqlite(*cfg.sqlite_path));
  } else if (cfg.postgres_conninfo) {
    SA_ASSIGN_OR_RETURN(db, store::OpenPostgres(*cfg.postgres_conninfo));
  } else {
    return Status::FailedPrecondition("/store: required (sqlite path or postgres conninfo)");
  }
  SA_RETURN_IF_ERROR(store::Migrate(*db).status());
  return db;
}

StatusOr<std::unique_ptr<Runtime>> Runtime::Open(const std::string& config_path, bool need_keys) {
  auto rt = std::make_unique<Runtime>();
  SA_ASSIGN_OR_RETURN(rt->config, LoadConfig(config_path));
  SA_ASSIGN_OR_RETURN(rt->catalog,
                      mappings::Catalog::Load({rt->config.profiles, rt->config.template_files, rt->config.base_dir}));
  SA_ASSIGN_OR_RETURN(rt->db, OpenStore(rt->config.store));
  if (need_keys) {
    SA_ASSIGN_OR_RETURN(rt->vault, Vault::Open(rt->config.keys, *rt->db));
  }
  return rt;
}

}  // namespace sa::adapter

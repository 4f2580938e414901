#!/usr/bin/env bash
# Layering check (architecture.md): plugin -> adapter -> mappings -> fhir.
# Fails when a lower layer includes a header of a higher one, or when anything
# outside fhir/ includes cpprestsdk (kept behind fhir/'s transport interface).
set -u
root=${1:?source dir}
cd "$root" || exit 2
bad=0
check() {  # layer, forbidden include prefixes...
  local layer=$1; shift
  for prefix in "$@"; do
    if grep -rnE "#include +[\"<]${prefix}/" "$layer" --include='*.h' --include='*.cc'; then
      echo "layering: $layer/ must not include $prefix/"; bad=1
    fi
  done
}
check fhir mappings adapter plugin
check mappings adapter plugin
check adapter plugin
if grep -rnE '#include +"\.\./' fhir mappings adapter plugin --include='*.h' --include='*.cc'; then
  echo "layering: no relative includes (they bypass the layer include directories)"; bad=1
fi
if grep -rnE '#include +[<"](cpprest|pplx)/' adapter mappings plugin --include='*.h' --include='*.cc'; then
  echo "layering: only fhir/ may include cpprestsdk"; bad=1
fi
if grep -rnE '#include +[<"](cpprest|pplx)/' fhir --include='*.h'; then
  echo "layering: cpprestsdk must stay out of fhir/ headers"; bad=1
fi
if grep -rnE '#include +[<"]Poco/' fhir mappings --include='*.h' --include='*.cc'; then
  echo "layering: Poco belongs to adapter/ and plugin/"; bad=1
fi
[ $bad -eq 0 ] && echo "layering: ok"
exit $bad

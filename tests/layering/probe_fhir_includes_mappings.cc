// Must NOT compile: fhir/ cannot see mappings/ (see tests/CMakeLists.txt).
#include "mappings/home.h"
int main() { return 0; }

// SwiftPM needs one source file per C target; the declaration lives in the header.
#include "CFuzzerDriver.h"

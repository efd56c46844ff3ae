#include "simulator/processor.hpp"
#include <recoup/plugin/export.hpp>

RECOUP_EXPORT_PROCESSOR(recoup::processors::simulator::processor, "1.0.0")

#include "stripe/processor.hpp"
#include <recoup/plugin/export.hpp>

RECOUP_EXPORT_PROCESSOR(recoup::processors::stripe::processor, "1.0.0")

"""Product footprints in and out as PACT (WBCSD Partnership for Carbon Transparency) JSON.

zcf's canonical model has PACT v3 semantics (:mod:`zcf.pcf.model`): a ProductFootprint with one
CarbonFootprint per declared unit, decimals written as JSON strings. :mod:`zcf.pcf.export` turns
the product footprints of results.json into v3 files (v2.x on request, with the v2 names);
:mod:`zcf.pcf.read` turns v3 and v2.x files into rows of the ``supplier_pcfs`` table, refusing
invalid ones with the file and JSON path.

The models are written by zcf from the PACT Technical Specifications (v3.0.0 and v2.x); no
specification file is included. Notice required for a Separate Derivative of the
specifications: "PACT Technical Specifications © World Business Council for Sustainable
Development (WBCSD). The specifications are provided 'as is', without warranty of any kind;
WBCSD is not liable for any use of them."
"""

SPEC_NOTICE = (
    "PACT Technical Specifications © World Business Council for Sustainable Development (WBCSD); "
    "zcf implements them with models of its own and includes no specification material. "
    "The specifications are provided 'as is', without warranty of any kind."
)

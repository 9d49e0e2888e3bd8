"""Pure fiscal domain: money, VAT, receipt arithmetic, documents, reports, layout. No I/O."""

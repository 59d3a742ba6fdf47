"""The register as a sheet, read: its columns, column mapping and cells (register), a CSV or XLSX file as rows
(files), the XLSX budget a file must keep to (xlsx_budget), and the memory-limited child process that reads an
upload (parse_child). No use cases."""

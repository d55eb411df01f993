"""Invoicing service: accounts and their invoices."""

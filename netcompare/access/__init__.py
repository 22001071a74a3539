"""Who may see and change what on a shared server: sign-in identities, access rules, viewers."""

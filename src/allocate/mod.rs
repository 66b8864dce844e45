//! Allocation: envelopes by bureau and the mayor's coordination reserve, optimised under the fiscal limits.

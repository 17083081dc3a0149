// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title RoundAnchor
/// @notice Curia's jury rounds, anchored: the Merkle root of each closed round's export (every ballot, the seed,
/// the sample, the tallies; see curation/src/jury/export.ts) stored once per round id. Anyone holding an export
/// can recompute its root and compare it with the one anchored here; the operator cannot later swap in another.
/// @dev One storage slot per round (a fresh SSTORE: ~22.1k gas) plus an event: about 46k gas per anchor in all.
contract RoundAnchor {
    /// @notice The only account that may anchor. Without this anyone could squat a future round id with a false
    /// root, and write-once would then lock the real one out.
    address public immutable operator;

    /// @notice Round id => export Merkle root; zero means not anchored.
    mapping(uint256 => bytes32) public rootOf;

    event RoundAnchored(uint256 indexed roundId, bytes32 root);

    error NotOperator();
    error ZeroRoot();
    error AlreadyAnchored(uint256 roundId, bytes32 root);

    constructor(address operator_) {
        operator = operator_;
    }

    /// @notice Stores `root` for `roundId`, once. A second call for the same round reverts, even with the same root.
    function anchor(uint256 roundId, bytes32 root) external {
        if (msg.sender != operator) revert NotOperator();
        if (root == bytes32(0)) revert ZeroRoot();
        bytes32 existing = rootOf[roundId];
        if (existing != bytes32(0)) revert AlreadyAnchored(roundId, existing);
        rootOf[roundId] = root;
        emit RoundAnchored(roundId, root);
    }
}

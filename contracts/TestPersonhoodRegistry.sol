// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title TestPersonhoodRegistry
/// @notice A stand-in for a proof-of-personhood or attestation registry, for tests and the local demo chain:
/// its owner marks addresses as human, and Curia's admission reads `isHuman(address)`. Real deployments point
/// Curia at a real registry (any view function taking an address and returning a bool or a uint).
contract TestPersonhoodRegistry {
    address public immutable owner;
    mapping(address => bool) public isHuman;

    event HumanSet(address indexed account, bool human);

    error NotOwner();

    constructor() {
        owner = msg.sender;
    }

    function setHuman(address account, bool human) external {
        if (msg.sender != owner) revert NotOwner();
        isHuman[account] = human;
        emit HumanSet(account, human);
    }
}

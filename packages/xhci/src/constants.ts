/**
 * xHCI register offsets, bit fields, TRB types and completion codes (xHCI 1.2
 * §5 and §6). The BAR layout follows QEMU's qemu-xhci (facts only): a 16 KiB
 * BAR with capability registers at 0, operational registers at 0x40, port
 * register sets at 0x440, runtime registers at 0x1000 and doorbells at 0x2000.
 */

export const XHCI_VENDOR_ID = 0x1b36;
export const XHCI_DEVICE_ID = 0x000d;
export const XHCI_CLASS_CODE = 0x0c0330;
export const XHCI_BAR_SIZE = 0x4000;

// ---- layout --------------------------------------------------------------------
export const CAP_LENGTH = 0x40;
export const OPER_BASE = CAP_LENGTH;
export const PORT_BASE = OPER_BASE + 0x400;
export const PORT_STRIDE = 0x10;
export const RUNTIME_BASE = 0x1000;
export const INTR_BASE = RUNTIME_BASE + 0x20;
export const INTR_STRIDE = 0x20;
export const DOORBELL_BASE = 0x2000;
/** Extended capabilities start here (HCCPARAMS1.xECP = 0x20 / 4). */
export const XECP_BASE = 0x20;
export const HCIVERSION = 0x0100;

// ---- capability registers (§5.3) -------------------------------------------------
export const CAP_CAPLENGTH = 0x00;
export const CAP_HCSPARAMS1 = 0x04;
export const CAP_HCSPARAMS2 = 0x08;
export const CAP_HCSPARAMS3 = 0x0c;
export const CAP_HCCPARAMS1 = 0x10;
export const CAP_DBOFF = 0x14;
export const CAP_RTSOFF = 0x18;
export const CAP_HCCPARAMS2 = 0x1c;
/** HCSPARAMS2: IST = 15 (frame granularity), ERST Max = 0, no scratchpads (QEMU's value). */
export const HCSPARAMS2_VALUE = 0x0000000f;
/** HCCPARAMS1.AC64: 64-bit addressing. */
export const HCCPARAMS1_AC64 = 1 << 0;

// ---- operational registers (§5.4), offsets from OPER_BASE -------------------------
export const OP_USBCMD = 0x00;
export const OP_USBSTS = 0x04;
export const OP_PAGESIZE = 0x08;
export const OP_DNCTRL = 0x14;
export const OP_CRCR_LO = 0x18;
export const OP_CRCR_HI = 0x1c;
export const OP_DCBAAP_LO = 0x30;
export const OP_DCBAAP_HI = 0x34;
export const OP_CONFIG = 0x38;

export const USBCMD_RS = 1 << 0;
export const USBCMD_HCRST = 1 << 1;
export const USBCMD_INTE = 1 << 2;
export const USBCMD_HSEE = 1 << 3;
export const USBCMD_LHCRST = 1 << 7;
export const USBCMD_CSS = 1 << 8;
export const USBCMD_CRS = 1 << 9;
export const USBCMD_EWE = 1 << 10;
/** Bits the guest may set and read back. */
export const USBCMD_RW_MASK = USBCMD_RS | USBCMD_INTE | USBCMD_HSEE | USBCMD_EWE | (1 << 11) | (1 << 13);

export const USBSTS_HCH = 1 << 0;
export const USBSTS_HSE = 1 << 2;
export const USBSTS_EINT = 1 << 3;
export const USBSTS_PCD = 1 << 4;
export const USBSTS_SSS = 1 << 8;
export const USBSTS_RSS = 1 << 9;
export const USBSTS_SRE = 1 << 10;
export const USBSTS_CNR = 1 << 11;
export const USBSTS_HCE = 1 << 12;
export const USBSTS_W1C = USBSTS_HSE | USBSTS_EINT | USBSTS_PCD | USBSTS_SRE;

export const CRCR_RCS = 1 << 0;
export const CRCR_CS = 1 << 1;
export const CRCR_CA = 1 << 2;
export const CRCR_CRR = 1 << 3;

// ---- port register set (§5.4.8) ------------------------------------------------------
export const PORT_PORTSC = 0x0;
export const PORT_PORTPMSC = 0x4;
export const PORT_PORTLI = 0x8;
export const PORT_PORTHLPMC = 0xc;

export const PORTSC_CCS = 1 << 0;
export const PORTSC_PED = 1 << 1;
export const PORTSC_OCA = 1 << 3;
export const PORTSC_PR = 1 << 4;
export const PORTSC_PLS_SHIFT = 5;
export const PORTSC_PLS_MASK = 0xf << PORTSC_PLS_SHIFT;
export const PORTSC_PP = 1 << 9;
export const PORTSC_SPEED_SHIFT = 10;
export const PORTSC_SPEED_MASK = 0xf << PORTSC_SPEED_SHIFT;
export const PORTSC_PIC_MASK = 3 << 14;
export const PORTSC_LWS = 1 << 16;
export const PORTSC_CSC = 1 << 17;
export const PORTSC_PEC = 1 << 18;
export const PORTSC_WRC = 1 << 19;
export const PORTSC_OCC = 1 << 20;
export const PORTSC_PRC = 1 << 21;
export const PORTSC_PLC = 1 << 22;
export const PORTSC_CEC = 1 << 23;
export const PORTSC_CAS = 1 << 24;
export const PORTSC_WCE = 1 << 25;
export const PORTSC_WDE = 1 << 26;
export const PORTSC_WOE = 1 << 27;
export const PORTSC_DR = 1 << 30;
export const PORTSC_WPR = 1 << 31;
export const PORTSC_CHANGE_BITS = PORTSC_CSC | PORTSC_PEC | PORTSC_WRC | PORTSC_OCC | PORTSC_PRC | PORTSC_PLC | PORTSC_CEC;
export const PORTSC_WAKE_BITS = PORTSC_WCE | PORTSC_WDE | PORTSC_WOE;

/** Port link states (PORTSC.PLS). */
export const PLS_U0 = 0;
export const PLS_U3 = 3;
export const PLS_DISABLED = 4;
export const PLS_RX_DETECT = 5;
export const PLS_POLLING = 7;
export const PLS_RESUME = 15;

/** Protocol speed IDs (default PSI values, §7.2.2.1.1). */
export const SPEED_FULL = 1;
export const SPEED_LOW = 2;
export const SPEED_HIGH = 3;
export const SPEED_SUPER = 4;

// ---- runtime registers (§5.5) ---------------------------------------------------------
export const RT_MFINDEX = 0x0;
export const IR_IMAN = 0x0;
export const IR_IMOD = 0x4;
export const IR_ERSTSZ = 0x8;
export const IR_ERSTBA_LO = 0x10;
export const IR_ERSTBA_HI = 0x14;
export const IR_ERDP_LO = 0x18;
export const IR_ERDP_HI = 0x1c;
export const IMAN_IP = 1 << 0;
export const IMAN_IE = 1 << 1;
export const ERDP_EHB = 1 << 3;

// ---- TRBs (§6.4) ------------------------------------------------------------------------
export const TRB_SIZE = 16;
export const TRB_C = 1 << 0;
export const TRB_ENT = 1 << 1;
export const TRB_TC = 1 << 1; // Link TRB: toggle cycle
export const TRB_ISP = 1 << 2;
export const TRB_NS = 1 << 3;
export const TRB_CH = 1 << 4;
export const TRB_IOC = 1 << 5;
export const TRB_IDT = 1 << 6;
export const TRB_BEI = 1 << 9;
export const TRB_BSR = 1 << 9; // Address Device: block SET_ADDRESS request
export const TRB_DC = 1 << 9; // Configure Endpoint: deconfigure
export const TRB_DIR_IN = 1 << 16; // Data and Status stage TRBs
export const TRB_ED = 1 << 2; // Transfer Event: event data

export const TRB_NORMAL = 1;
export const TRB_SETUP = 2;
export const TRB_DATA = 3;
export const TRB_STATUS = 4;
export const TRB_ISOCH = 5;
export const TRB_LINK = 6;
export const TRB_EVENT_DATA = 7;
export const TRB_NOOP = 8;
export const TRB_ENABLE_SLOT = 9;
export const TRB_DISABLE_SLOT = 10;
export const TRB_ADDRESS_DEVICE = 11;
export const TRB_CONFIGURE_ENDPOINT = 12;
export const TRB_EVALUATE_CONTEXT = 13;
export const TRB_RESET_ENDPOINT = 14;
export const TRB_STOP_ENDPOINT = 15;
export const TRB_SET_TR_DEQUEUE = 16;
export const TRB_RESET_DEVICE = 17;
export const TRB_NOOP_COMMAND = 23;
export const TRB_TRANSFER_EVENT = 32;
export const TRB_COMMAND_COMPLETION = 33;
export const TRB_PORT_STATUS_CHANGE = 34;
export const TRB_HOST_CONTROLLER_EVENT = 37;

// ---- completion codes (§6.4.5) -------------------------------------------------------------
export const CC_SUCCESS = 1;
export const CC_DATA_BUFFER_ERROR = 2;
export const CC_BABBLE = 3;
export const CC_USB_TRANSACTION_ERROR = 4;
export const CC_TRB_ERROR = 5;
export const CC_STALL = 6;
export const CC_NO_SLOTS = 9;
export const CC_SLOT_NOT_ENABLED = 11;
export const CC_EP_NOT_ENABLED = 12;
export const CC_SHORT_PACKET = 13;
export const CC_PARAMETER_ERROR = 17;
export const CC_CONTEXT_STATE_ERROR = 19;
export const CC_EVENT_RING_FULL = 21;
export const CC_COMMAND_RING_STOPPED = 24;
export const CC_COMMAND_ABORTED = 25;
export const CC_STOPPED = 26;

// ---- contexts (§6.2), 32-byte contexts (HCCPARAMS1.CSZ = 0) -----------------------------
export const CTX_SIZE = 32;
export const SLOT_STATE_DISABLED = 0;
export const SLOT_STATE_DEFAULT = 1;
export const SLOT_STATE_ADDRESSED = 2;
export const SLOT_STATE_CONFIGURED = 3;

export const EP_DISABLED = 0;
export const EP_RUNNING = 1;
export const EP_HALTED = 2;
export const EP_STOPPED = 3;
export const EP_ERROR = 4;

export const EP_TYPE_ISOCH_OUT = 1;
export const EP_TYPE_BULK_OUT = 2;
export const EP_TYPE_INTR_OUT = 3;
export const EP_TYPE_CONTROL = 4;
export const EP_TYPE_ISOCH_IN = 5;
export const EP_TYPE_BULK_IN = 6;
export const EP_TYPE_INTR_IN = 7;

// ---- bounds on guest-controlled walks ------------------------------------------------------
/** Link TRBs followed in a row before a ring counts as a loop. */
export const MAX_LINKS_IN_A_ROW = 64;
/** TRBs in one TD (a chain that never ends is a TRB Error). */
export const MAX_TRBS_PER_TD = 256;
/** TDs executed per doorbell (the rest wait for the next doorbell or wake-up). */
export const MAX_TDS_PER_KICK = 256;
/** Commands executed per doorbell 0 ring. */
export const MAX_COMMANDS_PER_KICK = 256;
/** Events held while the event ring is full. */
export const MAX_PENDING_EVENTS = 1024;
/** Largest event ring segment table (entries). */
export const MAX_ERST_ENTRIES = 16;
/** Largest data stage of a control transfer. */
export const MAX_CONTROL_DATA = 0x10000;

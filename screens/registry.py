"""Screen id → the class that draws it (imported lazily, so a screen module loads only when shown)."""
from __future__ import annotations

import importlib

SCREENS: dict[str, str] = {
    "lock": "screens.login:LockScreen",
    "sko_pin": "screens.login:SkoPinScreen",
    "login": "screens.login:LoginScreen",
    "change_password": "screens.login:ChangePasswordScreen",
    "menu": "screens.menu:MenuScreen",
    "sale": "screens.sale:SaleScreen",
    "payment": "screens.payment:PaymentScreen",
    "change": "screens.payment:ChangeScreen",
    "cash": "screens.cash:CashScreen",
    "receipts_shifts": "screens.receipts:ShiftsScreen",
    "receipts_list": "screens.receipts:ReceiptsScreen",
    "receipt_detail": "screens.receipts:ReceiptDetailScreen",
    "refund": "screens.refund:RefundScreen",
    "reports": "screens.reports:ReportsScreen",
    "report_preview": "screens.reports:ReportPreviewScreen",
    "goods_list": "screens.goods:GoodsScreen",
    "goods_edit": "screens.goods:GoodsEditScreen",
    "goods_exchange": "screens.exchange:GoodsExchangeScreen",
    "goods_import_preview": "screens.exchange:ImportPreviewScreen",
    "period_report": "screens.period_reports:PeriodReportScreen",
    "settings": "screens.settings:SettingsScreen",
    "requisites": "screens.settings:RequisitesScreen",
    "parameters": "screens.settings:ParametersScreen",
    "users": "screens.users:UsersScreen",
    "user_edit": "screens.users:UserEditScreen",
    "maintenance": "screens.maintenance:MaintenanceScreen",
    "diagnostics": "screens.diagnostics:DiagnosticsScreen",
    "help": "screens.info:HelpScreen",
    "about": "screens.info:AboutScreen",
    "device_info": "screens.info:DeviceInfoScreen",
    "orders": "screens.info:OrdersScreen",
    "self_service": "screens.self_service:SelfServiceScreen",
}


def screen_class(sid: str):
    if sid not in SCREENS:
        raise KeyError(f"no screen {sid!r}; screens are: {', '.join(SCREENS)}")
    module, name = SCREENS[sid].split(":")
    return getattr(importlib.import_module(module), name)
